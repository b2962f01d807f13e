package dev.caravan.cli;

import ch.qos.logback.classic.Level;
import dev.caravan.agent.Agent;
import dev.caravan.agent.PeerIdFile;
import dev.caravan.agent.api.ApiServer;
import dev.caravan.agent.config.AgentConfig;
import dev.caravan.agent.config.AgentConfigLoader;
import dev.caravan.agent.config.ConfigException;
import dev.caravan.agent.config.HostPort;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.tls.PeerIdentity;
import dev.caravan.wire.tls.Role;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import dev.caravan.tracker.TrackerClient;
import dev.caravan.tracker.TrackerClientConfig;
import dev.caravan.tracker.TrackerException;
import dev.caravan.wire.tls.EnrollmentException;
import dev.caravan.wire.tls.TlsFiles;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code caravan agent}: a fleet machine's agent, run until SIGTERM or SIGINT. It reads the config
 * file (docs/agent-config.md) with flags laid over it, checks it, logs it, and runs an
 * {@link Agent} with the local API ({@link ApiServer}) beside it; a shutdown hook closes both, so
 * that the tracker and the peers are told the agent is leaving.
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Run the fleet agent: follow a channel, fetch each release from peers (the origin as a fallback),"
                + " verify, install, seed; serve /status and /metrics on api.listen. Runs until SIGTERM or Ctrl-C.",
                "Flags override the file's keys; docs/agent-config.md lists every key."})
final class AgentCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(AgentCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The agent's TOML config file.")
    Path config;

    @Option(names = "--listen", converter = HostPortConverter.class, paramLabel = "HOST:PORT",
            description = "Where peers connect (peer.listen), e.g. 0.0.0.0:7881.")
    HostPort listen;

    @Option(names = "--group", paramLabel = "NAME", description = "This agent's group (peer.group).")
    String group;

    @Option(names = "--api-listen", converter = HostPortConverter.class, paramLabel = "HOST:PORT",
            description = "The local API (api.listen), e.g. 127.0.0.1:7880. It has no authentication: keep it on loopback.")
    HostPort apiListen;

    @Option(names = "--upload-rate", converter = ByteSize.Converter.class, paramLabel = "RATE",
            description = "Total upload to peers in bytes/s (limits.upload_rate), e.g. 10MB; 0: unlimited.")
    Long uploadRate;

    @Option(names = "--download-rate", converter = ByteSize.Converter.class, paramLabel = "RATE",
            description = "Total download from peers in bytes/s (limits.download_rate); 0: unlimited.")
    Long downloadRate;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Verified chunks and TUF state (cache.dir).")
    Path cacheDir;

    @Option(names = "--install-dir", paramLabel = "DIR", description = "Where releases are installed (follow.install_dir).")
    Path installDir;

    @Option(names = "--join", paramLabel = "TOKEN",
            description = {"Enroll first with a join token from `caravan ca token`: make a key here, get a certificate "
                    + "from the tracker the token names (checked against the token's CA fingerprint) and store them at "
                    + "tls.certificate, tls.key and tls.ca. Ignored once tls.certificate exists.",
                    "@FILE reads the token from FILE, which keeps it out of the process list."})
    String join;

    /** Each flag and the config key it overrides, in --help order. */
    private Map<String, String> overrides() {
        Map<String, String> o = new LinkedHashMap<>();
        put(o, "peer.listen", listen);
        put(o, "peer.group", group);
        put(o, "api.listen", apiListen);
        put(o, "limits.upload_rate", uploadRate);
        put(o, "limits.download_rate", downloadRate);
        put(o, "cache.dir", cacheDir);
        put(o, "follow.install_dir", installDir);
        return o;
    }

    private static final Map<String, String> FLAGS = Map.of("peer.listen", "--listen", "peer.group", "--group",
            "api.listen", "--api-listen", "limits.upload_rate", "--upload-rate", "limits.download_rate", "--download-rate",
            "cache.dir", "--cache-dir", "follow.install_dir", "--install-dir");

    private static void put(Map<String, String> overrides, String key, Object value) {
        if (value != null) {
            overrides.put(key, value.toString());
        }
    }

    @Override
    public Integer call() throws Exception {
        if (System.getenv("CARAVAN_LOG_LEVEL") == null) {
            // A service's lifecycle lines are its output: show INFO unless told otherwise.
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.caravan")).setLevel(Level.INFO);
        }
        AgentConfig settings = load();
        // A renewal or enrollment cut short by a crash is finished before the files are read (or
        // before --join, which would otherwise spend a new token on a certificate already issued).
        if (new TlsFiles(settings.tlsCertificate(), settings.tlsKey(), settings.tlsCa()).finishInterruptedStore()) {
            log.info("finished storing the certificate a crash had left half-stored in {}", settings.tlsCertificate());
        }
        enrollIfAsked(settings);
        settings.checkFiles();
        String name = certificateName(settings.tlsCertificate());
        log.info("{}", settings.describe().strip());
        PeerId peerId;
        try {
            peerId = PeerIdFile.loadOrCreate(settings.cacheDir(), new SecureRandom());
        } catch (IOException e) {
            throw new IOException("cannot keep the peer id in cache.dir " + settings.cacheDir() + ": " + Main.oneLine(e), e);
        }
        byte[] root = Files.readAllBytes(settings.trustedRoot());
        Agent agent = new Agent(AgentSettings.of(settings, name, peerId, root), Clock.systemUTC(), null);
        ApiServer api = new ApiServer(settings.apiListen(), agent::status);
        InetSocketAddress apiAddress;
        try {
            agent.start();
            apiAddress = api.start();
        } catch (IOException | RuntimeException e) {
            api.close();
            agent.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("{}: stopping", name);
            api.close();
            agent.close();
            log.info("{}: stopped", name);
            stopped.countDown();
        }, "caravan-agent-shutdown"));
        spec.commandLine().getOut().println("caravan agent: " + name + " (peer id " + peerId + ") follows "
                + settings.product() + " on " + settings.channel() + " into " + settings.installDir() + "; peers connect to "
                + new HostPort(settings.peerListen().host(), agent.peerPort()) + ", status at http://"
                + new HostPort(apiAddress.getAddress().getHostAddress(), apiAddress.getPort()) + "/status (Ctrl-C to stop)");
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    /** The config with the flags laid over it, checked, files included; a bad flag is named as the flag. */
    private AgentConfig load() {
        AgentConfig loaded;
        try {
            loaded = AgentConfigLoader.load(config, overrides());
        } catch (ConfigException e) {
            if (AgentConfigLoader.OVERRIDE_SOURCE.equals(e.source()) && FLAGS.containsKey(e.key())) {
                throw new IllegalArgumentException(FLAGS.get(e.key()) + " " + e.value() + ": " + e.reason(), e);
            }
            throw e;
        }
        return loaded;
    }

    /**
     * With {@code --join} and no certificate yet, enrolls: the key is made here and never sent; the
     * token goes only to a tracker whose certificate chains to the CA the token names.
     */
    private void enrollIfAsked(AgentConfig settings) throws IOException {
        if (join == null) {
            return;
        }
        if (Files.exists(settings.tlsCertificate())) {
            log.info("tls.certificate {} exists: already enrolled, --join is not used", settings.tlsCertificate());
            return;
        }
        String token = join.startsWith("@") ? Files.readString(Path.of(join.substring(1))).strip() : join.strip();
        TlsFiles files = new TlsFiles(settings.tlsCertificate(), settings.tlsKey(), settings.tlsCa());
        try {
            X509Certificate cert = TrackerClient.enroll(token, files, TrackerClientConfig.defaults("unused", 1, files));
            PeerIdentity who = PeerIdentity.of(cert);
            log.info("enrolled as {} (certificate valid until {}) into {}", who.name(), who.notAfter(), settings.tlsCertificate());
        } catch (EnrollmentException | java.security.cert.CertificateException e) {
            throw new IllegalArgumentException("--join: " + e.getMessage(), e);
        } catch (TrackerException e) {
            throw new IOException("--join: enrollment failed: " + e.getMessage(), e);
        }
    }

    /** The name in an agent certificate; refuses another role's certificate or an expired one, naming tls.certificate. */
    private static String certificateName(Path certificate) {
        PeerIdentity identity;
        try (InputStream in = Files.newInputStream(certificate)) {
            identity = PeerIdentity.of((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        } catch (IOException | GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("tls.certificate " + certificate + " is not a Caravan certificate: "
                    + Main.oneLine(e), e);
        }
        if (identity.role() != Role.AGENT) {
            throw new IllegalArgumentException("tls.certificate " + certificate + " is a " + identity.role().label()
                    + " certificate; an agent needs one from `caravan ca issue --role agent`");
        }
        if (identity.notAfter().isBefore(Instant.now())) {
            throw new IllegalArgumentException("tls.certificate " + certificate + " expired on " + identity.notAfter()
                    + "; issue a new one with `caravan ca issue`, or remove it and enroll again with --join");
        }
        return identity.name();
    }
}
