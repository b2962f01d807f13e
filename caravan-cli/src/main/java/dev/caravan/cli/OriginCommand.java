package dev.caravan.cli;

import dev.caravan.agent.config.HostPort;
import dev.caravan.origin.server.OriginConfig;
import dev.caravan.origin.server.OriginServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code caravan origin}: serves a repository folder over HTTP(S) until stopped. */
@Command(name = "origin", mixinStandardHelpOptions = true,
        description = "Serve a repository folder over HTTP/1.1 (or HTTPS) until stopped.")
final class OriginCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--repo", required = true, description = "The repository folder to serve.")
    Path repo;

    @Option(names = "--listen", required = true, converter = HostPortConverter.class,
            description = "HOST:PORT to listen on, e.g. 0.0.0.0:8080 (port 0: any free port).")
    HostPort listen;

    @Option(names = "--tls-cert", description = "PEM certificate chain; serve HTTPS (with --tls-key).")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM PKCS#8 private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--upload-rate", converter = ByteSize.Converter.class, defaultValue = "0",
            description = "Cap on bytes sent per second over all connections, e.g. 20MB (0: none; default ${DEFAULT-VALUE}).")
    long uploadRate;

    @Override
    public Integer call() throws Exception {
        OriginConfig config = OriginConfig.plain(repo, listen.host(), listen.port()).withUploadRateBytesPerSecond(uploadRate);
        if (tlsCert != null || tlsKey != null) {
            if (tlsCert == null || tlsKey == null) {
                throw new IllegalArgumentException("--tls-cert and --tls-key go together");
            }
            config = config.withTls(tlsCert, tlsKey);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (OriginServer server = new OriginServer(config)) {
            InetSocketAddress bound = server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "caravan-origin-shutdown"));
            String scheme = config.tls() ? "https" : "http";
            String host = bound.getAddress().getHostAddress();
            if (host.contains(":")) {
                host = "[" + host + "]";
            }
            spec.commandLine().getOut().println("caravan origin: serving " + repo.toAbsolutePath().normalize() + " at " + scheme
                    + "://" + host + ":" + bound.getPort() + "/ (Ctrl-C to stop)");
            spec.commandLine().getOut().flush();
            stopped.await();
        }
        return 0;
    }
}
