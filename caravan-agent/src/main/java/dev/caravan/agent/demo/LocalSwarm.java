package dev.caravan.agent.demo;

import dev.caravan.agent.Agent;
import dev.caravan.agent.CachePolicy;
import dev.caravan.agent.seed.UploadSlotConfig;
import dev.caravan.agent.swarm.PeerConfig;
import dev.caravan.agent.swarm.PeerLimits;
import dev.caravan.core.ReleaseId;
import dev.caravan.core.chunk.ChunkingConfig;
import dev.caravan.origin.client.OriginClientConfig;
import dev.caravan.origin.publish.Publisher;
import dev.caravan.origin.server.OriginConfig;
import dev.caravan.origin.server.OriginServer;
import dev.caravan.scheduler.SchedulerConfig;
import dev.caravan.tracker.TrackerConfig;
import dev.caravan.tracker.TrackerSecurityConfig;
import dev.caravan.tracker.TrackerServer;
import dev.caravan.tuf.RepositoryConfig;
import dev.caravan.tuf.RepositoryWriter;
import dev.caravan.tuf.TufException;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.tls.CertificateAuthority;
import dev.caravan.wire.tls.Role;
import dev.caravan.wire.tls.TlsFiles;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A whole deployment in one process on loopback, with real TLS and real sockets: a CA with a
 * certificate per machine, signing keys and a TUF repository, an origin (its upload capped), a
 * tracker, and agents. What {@code caravan demo}, the in-process swarm tests and the swarm
 * benchmark run. Nothing is mocked: each agent is the same {@link Agent} that
 * {@code caravan agent} runs, with its own cache, install folder, certificate and peer port.
 */
public final class LocalSwarm implements AutoCloseable {
    public static final String PRODUCT = "demo-app";
    public static final String CHANNEL = "stable";

    /**
     * The shape of the deployment.
     *
     * @param originRateBytesPerSecond the origin's upload cap, 0 for none
     * @param peerUploadRateBytesPerSecond each agent's upload cap, 0 for none
     * @param peerDownloadRateBytesPerSecond each agent's download cap (peer traffic), 0 for none
     * @param scheduler the agents' download scheduler settings
     * @param slots the agents' upload slots
     * @param ioThreads event loop threads shared by all agents' peer connections
     * @param limits what the agents tolerate of a peer
     * @param announceInterval the tracker's announce interval (agents also fetch the revocation list
     *     at each announce); default {@value TrackerConfig#DEFAULT_ANNOUNCE_INTERVAL_SECONDS} s
     */
    public record Options(long originRateBytesPerSecond, long peerUploadRateBytesPerSecond,
            long peerDownloadRateBytesPerSecond, SchedulerConfig scheduler, UploadSlotConfig slots, int ioThreads,
            PeerLimits limits, Duration announceInterval) {
        public Options {
            Objects.requireNonNull(scheduler, "scheduler");
            Objects.requireNonNull(slots, "slots");
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(announceInterval, "announceInterval");
        }

        public static Options defaults() {
            return new Options(0, 0, 0, SchedulerConfig.DEFAULT, UploadSlotConfig.DEFAULT, 2, PeerLimits.DEFAULT,
                    Duration.ofSeconds(TrackerConfig.DEFAULT_ANNOUNCE_INTERVAL_SECONDS));
        }

        public Options withRates(long origin, long peerUpload, long peerDownload) {
            return new Options(origin, peerUpload, peerDownload, scheduler, slots, ioThreads, limits, announceInterval);
        }

        public Options withScheduler(SchedulerConfig v) {
            return new Options(originRateBytesPerSecond, peerUploadRateBytesPerSecond, peerDownloadRateBytesPerSecond,
                    v, slots, ioThreads, limits, announceInterval);
        }

        public Options withSlots(UploadSlotConfig v) {
            return new Options(originRateBytesPerSecond, peerUploadRateBytesPerSecond, peerDownloadRateBytesPerSecond,
                    scheduler, v, ioThreads, limits, announceInterval);
        }

        public Options withAnnounceInterval(Duration v) {
            return new Options(originRateBytesPerSecond, peerUploadRateBytesPerSecond, peerDownloadRateBytesPerSecond,
                    scheduler, slots, ioThreads, limits, v);
        }

        public Options withLimits(PeerLimits v) {
            return new Options(originRateBytesPerSecond, peerUploadRateBytesPerSecond, peerDownloadRateBytesPerSecond,
                    scheduler, slots, ioThreads, v, announceInterval);
        }
    }

    private final Path work;
    private final Options options;
    private final Clock clock = Clock.systemUTC();
    private final Path caDir;
    private final Path certs;
    private final Path keys;
    private final Path repo;
    private final Publisher publisher;
    private final OriginServer origin;
    private final TrackerServer tracker;
    private final EventLoopGroup group;
    private final List<Agent> agents = new CopyOnWriteArrayList<>();
    private final SecureRandom random = new SecureRandom();
    /** Whether each agent gets its own 127.0.0.N (Linux routes all of 127/8 to loopback; macOS only 127.0.0.1). */
    private final boolean ownAddresses = loopbackAliasesWork();
    private final java.util.concurrent.atomic.AtomicInteger nextAddress = new java.util.concurrent.atomic.AtomicInteger();
    private String originUrl;
    private InetSocketAddress trackerAddress;

    private LocalSwarm(Path work, Options options) throws IOException {
        this.work = work;
        this.options = options;
        this.caDir = work.resolve("ca");
        this.certs = work.resolve("certs");
        this.keys = work.resolve("keys");
        this.repo = work.resolve("repo");
        CertificateAuthority.init(caDir);
        CertificateAuthority.issue(caDir, "tracker", Role.TRACKER, List.of(InetAddress.getLoopbackAddress()), certs,
                CertificateAuthority.DEFAULT_VALIDITY);
        RepositoryWriter writer = new RepositoryWriter(RepositoryConfig.defaults(), clock);
        try {
            writer.init(keys, repo, 1);
        } catch (TufException e) {
            throw new IOException("cannot make the repository's keys: " + e.getMessage(), e);
        }
        this.publisher = new Publisher(writer, ChunkingConfig.DEFAULT, clock);
        OriginConfig originConfig = OriginConfig.plain(repo, "127.0.0.1", 0);
        if (options.originRateBytesPerSecond() > 0) {
            originConfig = originConfig.withUploadRateBytesPerSecond(options.originRateBytesPerSecond());
        }
        this.origin = new OriginServer(originConfig);
        // The tracker holds the CA folder, as docs/decisions/005 has it: it enrolls agents with join tokens
        // and enforces the CA's revocation list, looked at every second here.
        this.tracker = new TrackerServer(TrackerConfig.defaults("127.0.0.1", 0, TlsFiles.in(certs, "tracker"))
                .withAnnounceInterval(options.announceInterval())
                .withSecurity(TrackerSecurityConfig.enrolling(caDir, work.resolve("tracker-state"))
                        .withRevocationListRefresh(Duration.ofSeconds(1))));
        this.group = new MultiThreadIoEventLoopGroup(options.ioThreads(), new DefaultThreadFactory("caravan-peers", true),
                NioIoHandler.newFactory());
    }

    /** Makes the CA, keys and repository under {@code work} and starts the origin and the tracker. */
    public static LocalSwarm start(Path work, Options options) throws IOException {
        LocalSwarm swarm = new LocalSwarm(work, options);
        try {
            swarm.originUrl = "http://127.0.0.1:" + swarm.origin.start().getPort();
            swarm.trackerAddress = swarm.tracker.start();
            return swarm;
        } catch (IOException | RuntimeException e) {
            swarm.close();
            throw e;
        }
    }

    /** Publishes the tree at {@code source} as {@code version} of the demo product on its channel. */
    public Publisher.Result publish(Path source, String version) throws IOException {
        try {
            return publisher.publish(keys, repo, new ReleaseId(PRODUCT, version), CHANNEL, source);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot publish " + version + ": " + e.getMessage(), e);
        }
    }

    /** Issues a certificate for a new agent named {@code name} and starts it with the default group. */
    public Agent startAgent(String name) throws IOException {
        return startAgent(name, "default", TlsFiles.in(issue(name), name));
    }

    /** Issues an agent certificate (in {@code certs/}) and returns the folder. */
    public Path issue(String name) throws IOException {
        CertificateAuthority.issue(caDir, name, Role.AGENT, List.of(InetAddress.getLoopbackAddress()), certs,
                CertificateAuthority.DEFAULT_VALIDITY);
        return certs;
    }

    /** Starts an agent with the given certificate files (which may come from another CA); thread-safe. */
    public Agent startAgent(String name, String peerGroup, TlsFiles tls) throws IOException {
        return startAgent(name, peerGroup, tls, originUrl);
    }

    /**
     * Starts an agent with the given certificate files that follows the repository at
     * {@code agentOriginUrl} instead of this deployment's origin: for tests that take a source away.
     */
    public Agent startAgent(String name, String peerGroup, TlsFiles tls, String agentOriginUrl) throws IOException {
        return startAgent(name, peerGroup, tls, agentOriginUrl, clock);
    }

    /** Starts an agent whose time is {@code agentClock}: for tests of certificate renewal. */
    public Agent startAgent(String name, String peerGroup, TlsFiles tls, String agentOriginUrl, Clock agentClock) throws IOException {
        // Each agent listens and dials on its own loopback address, as machines of a fleet have their own
        // addresses: the per-address connection limit then counts them apart, as it would on a network.
        String host = ownAddresses ? agentAddress(nextAddress.getAndIncrement()) : "127.0.0.1";
        PeerLimits limits = ownAddresses ? options.limits()
                : options.limits().withMaxConnectionsPerAddress(PeerConfig.DEFAULT_MAX_PEERS);
        PeerConfig peer = PeerConfig.defaults(PeerId.random(random), peerGroup, tls, host, 0)
                .withRates(options.peerUploadRateBytesPerSecond(), options.peerDownloadRateBytesPerSecond())
                .withSlots(options.slots())
                .withScheduler(options.scheduler())
                .withLimits(limits)
                .withDialFromHost(ownAddresses ? host : null);
        Path home = work.resolve("agents").resolve(name);
        Agent.Settings settings = new Agent.Settings(name, "127.0.0.1", trackerAddress.getPort(), agentOriginUrl,
                OriginClientConfig.defaults().withIoThreads(1), Files.readAllBytes(repo.resolve("metadata/1.root.json")),
                peer, home.resolve("cache"), PRODUCT, CHANNEL, home.resolve("install"), 2, Duration.ofSeconds(5),
                host, CachePolicy.DEFAULT);
        Agent agent = new Agent(settings, agentClock, group);
        agents.add(agent);
        agent.start();
        return agent;
    }

    /** The n-th agent's loopback address: 127.0.0.2 onwards (127.0.0.1 is the origin's, the tracker's and tests' own). */
    static String agentAddress(int n) {
        int i = n % (250 * 250);
        return "127.0." + (i / 250) + "." + (i % 250 + 2);
    }

    private static boolean loopbackAliasesWork() {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public List<Agent> agents() {
        return List.copyOf(agents);
    }

    public OriginServer origin() {
        return origin;
    }

    public TrackerServer tracker() {
        return tracker;
    }

    public String originUrl() {
        return originUrl;
    }

    /** The CA folder, for issuing more certificates. */
    public Path caDir() {
        return caDir;
    }

    public Path repo() {
        return repo;
    }

    public Path work() {
        return work;
    }

    @Override
    public void close() {
        for (Agent a : agents) {
            a.close();
        }
        tracker.close();
        origin.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
