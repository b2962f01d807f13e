package dev.caravan.cli;

import dev.caravan.agent.config.HostPort;
import dev.caravan.tracker.TrackerConfig;
import dev.caravan.tracker.TrackerServer;
import dev.caravan.tracker.TrackerSecurityConfig;
import dev.caravan.agent.config.DurationText;
import dev.caravan.wire.tls.CertificateAuthority;
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

    @Option(names = "--ca", description = "The deployment's CA certificate (PEM): only agents it issued may announce. "
            + "Not with --ca-dir, which implies DIR/ca.crt.")
    Path ca;

    @Option(names = "--ca-dir", paramLabel = "DIR", description = "The CA folder: the tracker then enrolls agents that bring a "
            + "join token (`caravan ca token`), renews their certificates, and enforces DIR/crl.pem (docs/decisions/005).")
    Path caDir;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the tracker keeps spent join tokens "
            + "(required with --ca-dir).")
    Path stateDir;

    @Option(names = "--crl", paramLabel = "FILE", description = "The CA's revocation list to enforce and serve to agents "
            + "(default with --ca-dir: DIR/crl.pem; else none).")
    Path crl;

    @Option(names = "--crl-refresh", defaultValue = "10s", paramLabel = "DURATION",
            description = "How often the tracker looks whether the revocation list changed (default ${DEFAULT-VALUE}).")
    String crlRefresh;

    @Option(names = "--certificate-validity", defaultValue = "24h", paramLabel = "DURATION",
            description = "Validity of enrolled and renewed agent certificates (default ${DEFAULT-VALUE}); agents renew at two thirds.")
    String certificateValidity;

    @Option(names = "--announce-interval", defaultValue = "30", description = "Seconds between an agent's announces (default ${DEFAULT-VALUE}).")
    int announceIntervalSeconds;

    @Override
    public Integer call() throws Exception {
        if ((ca == null) == (caDir == null)) {
            throw new IllegalArgumentException("give exactly one of --ca FILE (no enrollment) and --ca-dir DIR (enrollment)");
        }
        if (caDir != null && stateDir == null) {
            throw new IllegalArgumentException("--ca-dir needs --state-dir DIR, where spent join tokens are kept");
        }
        TrackerSecurityConfig security = caDir != null ? TrackerSecurityConfig.enrolling(caDir, stateDir) : TrackerSecurityConfig.none();
        if (crl != null) {
            security = security.withRevocationList(crl);
        }
        security = security.withRevocationListRefresh(duration("--crl-refresh", crlRefresh))
                .withCertificateValidity(duration("--certificate-validity", certificateValidity));
        Path caFile = caDir != null ? caDir.resolve(CertificateAuthority.CA_CERT) : ca;
        TrackerConfig config = TrackerConfig.defaults(listen.host(), listen.port(), new TlsFiles(cert, key, caFile))
                .withAnnounceInterval(Duration.ofSeconds(announceIntervalSeconds))
                .withSecurity(security);
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

    private static Duration duration(String flag, String text) {
        try {
            return DurationText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " " + text + ": " + e.getMessage(), e);
        }
    }
}
