package dev.caravan.tracker;

import dev.caravan.wire.tls.Revocations;
import dev.caravan.wire.tls.Role;
import dev.caravan.wire.tls.TlsContexts;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker: an HTTPS JSON API over mutual TLS 1.3 that only agents of the deployment can call.
 * It keeps membership in a {@link PeerStore} and answers each announce with ordered peer lists
 * (see this module's README for the API).
 *
 * <pre>{@code
 * try (TrackerServer tracker = new TrackerServer(TrackerConfig.defaults("0.0.0.0", 7070, tls))) {
 *     InetSocketAddress address = tracker.start();
 *     ...
 * }
 * }</pre>
 *
 * <p>A client whose certificate does not chain to the deployment CA, or is not an agent's, fails
 * the handshake and receives no byte of the API. Peers whose time-to-live ran out are never
 * handed out, and are swept from the store once per announce interval.
 */
public final class TrackerServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrackerServer.class);

    private final TrackerConfig config;
    private final PeerStore store;
    private EventLoopGroup acceptGroup;
    private EventLoopGroup ioGroup;
    private Channel serverChannel;
    private InetSocketAddress address;
    private volatile Tracker tracker;
    private boolean closed;

    /** A tracker keeping membership in a {@link MemoryPeerStore} with {@link TrackerConfig#peerTtl()}. */
    public TrackerServer(TrackerConfig config) {
        this(config, new MemoryPeerStore(config.peerTtl()));
    }

    /**
     * A tracker keeping membership in {@code store}, whose own time-to-live then rules
     * ({@link TrackerConfig#peerTtl()} is not used).
     */
    public TrackerServer(TrackerConfig config, PeerStore store) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Reads the TLS files and listens; returns the bound address (with the actual port when the
     * config asked for port 0).
     *
     * @throws IOException if the TLS files cannot be read or the address cannot be bound
     * @throws IllegalStateException if already started or closed
     */
    public synchronized InetSocketAddress start() throws IOException {
        if (serverChannel != null || closed) {
            throw new IllegalStateException("tracker already started or closed");
        }
        TrackerSecurityConfig security = config.security();
        Revocations revocations = new Revocations(config.tls().readCa());
        Tracker tracker = new Tracker(store, config);
        this.tracker = tracker;
        RevocationWatch watch = null;
        if (security.revocationList() != null) {
            watch = new RevocationWatch(security.revocationList(), revocations);
            watch.load();
            revocations.onChange(() -> {
                int gone = tracker.forgetRevoked(revocations);
                if (gone > 0) {
                    log.info("tracker forgot {} peers whose certificate is revoked", gone);
                }
            });
        }
        Enrollments enrollments = security.enrolls() ? new Enrollments(security, config.clock(), revocations) : null;
        SslContext tls = TlsContexts.server(config.tls(), Set.of(Role.AGENT), revocations, security.enrolls());
        acceptGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tracker-accept"), NioIoHandler.newFactory());
        ioGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("tracker-io"),
                NioIoHandler.newFactory());
        ChannelFuture bound = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new TrackerChannelInitializer(tls, new TrackerRequestHandler.Services(tracker, enrollments, revocations),
                        config))
                .bind(config.bindHost(), config.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutDownGroups();
            throw new IOException("tracker cannot listen on " + config.bindHost() + ":" + config.port() + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        serverChannel = bound.channel();
        address = (InetSocketAddress) serverChannel.localAddress();
        long sweepSeconds = config.announceInterval().toSeconds();
        ioGroup.next().scheduleAtFixedRate(() -> {
            int gone = tracker.expire();
            if (gone > 0) {
                log.debug("tracker forgot {} peers that stopped announcing", gone);
            }
        }, sweepSeconds, sweepSeconds, TimeUnit.SECONDS);
        if (watch != null) {
            RevocationWatch w = watch;
            long refresh = security.revocationListRefresh().toMillis();
            ioGroup.next().scheduleWithFixedDelay(w::poll, refresh, refresh, TimeUnit.MILLISECONDS);
        }
        log.info("tracker listening on {} (announce interval {} s, peer TTL {}, max peers per answer {}, "
                        + "max releases per announce {}, max body {} bytes, idle timeout {}, I/O threads {}, store {})",
                address, config.announceInterval().toSeconds(), config.peerTtl(), config.maxPeersPerAnswer(),
                config.maxReleasesPerAnnounce(), config.maxRequestBodyBytes(), config.idleTimeout(), config.ioThreads(),
                store.getClass().getSimpleName());
        log.info("tracker enrollment {}; revocation list {}", security.enrolls()
                        ? "on, from CA folder " + security.caDir() + ", certificates valid " + security.certificateValidity()
                        : "off",
                security.revocationList() == null ? "none" : security.revocationList() + " (number " + revocations.number()
                        + ", looked at every " + security.revocationListRefresh() + ")");
        return address;
    }

    /** The bound address; only after {@link #start()}. */
    public synchronized InetSocketAddress address() {
        if (address == null) {
            throw new IllegalStateException("tracker not started");
        }
        return address;
    }

    /** Announces received since {@link #start()}, refused ones included; 0 before it. */
    public long announcesReceived() {
        Tracker t = tracker;
        return t == null ? 0 : t.announces();
    }

    /** The store holding membership. */
    public PeerStore store() {
        return store;
    }

    public TrackerConfig config() {
        return config;
    }

    /** Stops listening, closes every connection and waits (a few seconds at most) for the threads to end. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
            log.info("tracker at {} stopped", address);
        }
        shutDownGroups();
    }

    private void shutDownGroups() {
        if (acceptGroup != null) {
            acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        if (ioGroup != null) {
            ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            acceptGroup.terminationFuture().awaitUninterruptibly();
        }
    }
}
