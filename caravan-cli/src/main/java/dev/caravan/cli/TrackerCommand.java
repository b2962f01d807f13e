package dev.caravan.cli;

import dev.caravan.agent.config.HostPort;
import dev.caravan.tracker.TrackerConfig;
import dev.caravan.tracker.TrackerServer;
import dev.caravan.wire.tls.TlsFiles;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code caravan tracker}: the membership service agents announce to, over mutual TLS, until stopped. */
@Command(name = "tracker", mixinStandardHelpOptions = true,
        description = "Run the tracker: agents announce what they have and get ordered peer lists (HTTPS, mutual TLS).")
final class TrackerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--listen", required = true, converter = HostPortConverter.class,
            description = "HOST:PORT to listen on, e.g. 0.0.0.0:7443.")
    HostPort listen;

    @Option(names = "--cert", required = true, description = "The tracker's certificate (PEM), issued by `caravan ca issue --role tracker`.")
    Path cert;

    @Option(names = "--key", required = true, description = "The certificate's private key (PEM).")
    Path key;

    @Option(names = "--ca", required = true, description = "The deployment's CA certificate (PEM): only agents it issued may announce.")
    Path ca;

    @Option(names = "--announce-interval", defaultValue = "30", description = "Seconds between an agent's announces (default ${DEFAULT-VALUE}).")
    int announceIntervalSeconds;

    @Override
    public Integer call() throws Exception {
        TrackerConfig config = TrackerConfig.defaults(listen.host(), listen.port(), new TlsFiles(cert, key, ca))
                .withAnnounceInterval(Duration.ofSeconds(announceIntervalSeconds));
        CountDownLatch stopped = new CountDownLatch(1);
        try (TrackerServer server = new TrackerServer(config)) {
            InetSocketAddress bound = server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "caravan-tracker-shutdown"));
            spec.commandLine().getOut().println("caravan tracker: listening on https://" + bound.getHostString() + ":"
                    + bound.getPort() + "/v1/announce (Ctrl-C to stop)");
            spec.commandLine().getOut().flush();
            stopped.await();
        }
        return 0;
    }
}
