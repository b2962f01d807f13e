package dev.caravan.agent.swarm;

import dev.caravan.agent.seed.ChokeDecision;
import dev.caravan.agent.seed.RateLimit;
import dev.caravan.agent.seed.TokenBucket;
import dev.caravan.agent.seed.UploadSlotConfig;
import dev.caravan.agent.seed.UploadSlots;
import dev.caravan.core.Digest;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.wire.Goodbye;
import dev.caravan.wire.MessageDecoder;
import dev.caravan.wire.MessageEncoder;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.ProtocolErrorHandler;
import dev.caravan.wire.tls.PeerIdentity;
import dev.caravan.wire.tls.Revocations;
import dev.caravan.wire.tls.Role;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLPeerUnverifiedException;
import dev.caravan.wire.tls.TlsContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent's peer side: the TLS listener other agents connect to, the dialer, the releases it
 * offers ({@link ReleaseSwarm}s by manifest digest), and what all connections share — the global
 * upload and download token buckets, the upload slots, and the in-memory cache of chunks being
 * served. One per agent.
 */
public final class PeerNetwork implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerNetwork.class);
    /**
     * Threads that write chunks: each write ends in two fsyncs, which take tens of milliseconds on
     * a busy disk, so several run at once.
     */
    private static final int STORE_THREADS = 4;
    /** Stop writing DATA to a connection with this much queued (its TCP send buffer is full). */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 << 10, 2 << 20);

    private final PeerConfig config;
    private final ChunkStore store;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Revocations revocations;
    private volatile SslContext serverTls;
    private volatile SslContext clientTls;
    /** Added to the revocations when made, removed at close (the revocations may outlive us). */
    private final Runnable onRevocation = this::closeRevoked;
    private final TokenBucket uploadBucket;
    private final TokenBucket downloadBucket;
    private final UploadSlots<PeerSession> slots;
    private final ServedChunks served;
    /** Hashing and reading chunks: CPU work, never kept waiting behind a disk flush. */
    private final ExecutorService blocking;
    /** Writing verified chunks to the store, each fsynced: mostly waiting for the disk. */
    private final ExecutorService storing;
    private final Map<Digest, ReleaseSwarm> swarms = new ConcurrentHashMap<>();
    /** Releases announced before their manifest arrived, and the accepted sessions waiting for each (guarded by itself). */
    private final Map<Digest, List<PeerSession>> expected = new HashMap<>();
    private final Set<PeerSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong bytesUploaded = new AtomicLong();
    /** Accepted connections per remote IP address (all of them, over-limit ones too while they last). */
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong peersCutOff = new AtomicLong();
    private volatile boolean lying;
    private Channel server;
    private int listenPort;
    private ScheduledFuture<?> slotTimer;

    /**
     * A network with its own event loop, or sharing {@code group} if not null (many agents in one
     * process, as in the demo).
     */
    public PeerNetwork(PeerConfig config, ChunkStore store, EventLoopGroup group) throws IOException {
        this(config, store, group, new Revocations(config.tls().readCa()));
    }

    /**
     * A network that refuses peers whose certificate {@code revocations} lists, at each handshake,
     * and closes open connections to them (GOODBYE {@code REVOKED}) as soon as a newer list names them.
     */
    public PeerNetwork(PeerConfig config, ChunkStore store, EventLoopGroup group, Revocations revocations) throws IOException {
        this.revocations = revocations;
        this.config = config;
        this.store = store;
        this.ownsGroup = group == null;
        this.group = group != null ? group
                : new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("caravan-peer", true), NioIoHandler.newFactory());
        this.serverTls = TlsContexts.server(config.tls(), Set.of(Role.AGENT), revocations, false);
        this.clientTls = TlsContexts.client(config.tls(), Set.of(Role.AGENT), revocations);
        revocations.onChange(onRevocation);
        this.uploadBucket = new TokenBucket(limit(config.uploadRateBytesPerSecond()), System::nanoTime);
        this.downloadBucket = new TokenBucket(limit(config.downloadRateBytesPerSecond()), System::nanoTime);
        UploadSlotConfig slotConfig = config.effectiveSlots();
        if (!slotConfig.equals(config.slots())) {
            log.info("upload cap {} bytes/s: {} upload slots instead of {}, so that each gets at least {} bytes/s"
                    + " (peers cut off slower connections)", config.uploadRateBytesPerSecond(), slotConfig.capacity(),
                    config.slots().capacity(), PeerConfig.MIN_SLOT_RATE_FACTOR * config.limits().minTransferBytesPerSecond());
        }
        this.slots = new UploadSlots<>(slotConfig, System::nanoTime);
        this.blocking = Executors.newFixedThreadPool(2, new DefaultThreadFactory("caravan-chunk-io", true));
        this.storing = Executors.newFixedThreadPool(STORE_THREADS, new DefaultThreadFactory("caravan-chunk-store", true));
        this.served = new ServedChunks(store, blocking, config.servedChunkCacheBytes());
    }

    /** A rate limit whose burst is a quarter of a second of traffic, and at least two blocks. */
    private static RateLimit limit(long bytesPerSecond) {
        if (bytesPerSecond == 0) {
            return RateLimit.UNLIMITED;
        }
        return new RateLimit(bytesPerSecond, Math.max(bytesPerSecond / 4, 512 << 10));
    }

    /** Starts listening; returns the address. */
    public synchronized InetSocketAddress start() throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!admit(ch)) {
                            return;
                        }
                        boolean over = connections.incrementAndGet() > config.maxPeers();
                        ch.closeFuture().addListener(f -> connections.decrementAndGet());
                        if (over) {
                            log.debug("refusing {}: at the limit of {} peer connections", ch.remoteAddress(), config.maxPeers());
                        }
                        // over the limit, the connection still completes TLS, to say why it is refused
                        pipeline(ch, serverTls, new PeerSession(PeerNetwork.this, false, null, null, over));
                    }
                });
        try {
            server = b.bind(config.listenHost(), config.listenPort()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding the peer listener", e);
        } catch (Exception e) {
            throw new IOException("cannot listen for peers on " + config.listenHost() + ":" + config.listenPort()
                    + ": " + e.getMessage(), e);
        }
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        listenPort = address.getPort();
        long tick = config.slots().rotation().toNanos() / 4;
        slotTimer = group.next().scheduleAtFixedRate(() -> apply(slots.tick()), tick, tick, TimeUnit.NANOSECONDS);
        log.info("peer listener on {} (peer id {}, group {})", address, config.peerId(), config.group());
        return address;
    }

    /**
     * Counts an accepted connection against its address; one over {@code maxConnectionsPerAddress}
     * is closed at once, before TLS, so that a peer opening hundreds costs us a socket accept each
     * and holds no slot of {@code maxPeers}.
     */
    private boolean admit(SocketChannel ch) {
        InetAddress address = ch.remoteAddress().getAddress();
        AtomicInteger count = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
        int now = count.incrementAndGet();
        ch.closeFuture().addListener(f -> {
            if (count.decrementAndGet() == 0) {
                perAddress.remove(address, count);
            }
        });
        if (now > config.limits().maxConnectionsPerAddress()) {
            cutOff();
            log.debug("refusing {}: {} already has {} connections, the limit per address", ch.remoteAddress(),
                    address.getHostAddress(), config.limits().maxConnectionsPerAddress());
            ch.close();
            return false;
        }
        return true;
    }

    private void pipeline(SocketChannel ch, SslContext tls, PeerSession session) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("tls", tls.newHandler(ch.alloc()));
        p.addLast("meter", session.meter());
        p.addLast("idle", new IdleStateHandler(config.idleTimeout().toNanos(), config.keepAlive().toNanos(), 0,
                TimeUnit.NANOSECONDS));
        p.addLast("decoder", new MessageDecoder());
        p.addLast("encoder", MessageEncoder.INSTANCE);
        p.addLast("session", session);
        p.addLast("errors", ProtocolErrorHandler.INSTANCE);
        sessions.add(session);
    }

    /** Dials a peer about {@code swarm}'s release; failures are logged at DEBUG and reported to the swarm. */
    void dial(ReleaseSwarm swarm, PeerId peer, String host, int port) {
        if (connections.incrementAndGet() > config.maxPeers()) {
            connections.decrementAndGet();
            swarm.dialFailed(peer);
            return;
        }
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.handshakeTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        pipeline(ch, clientTls, new PeerSession(PeerNetwork.this, true, swarm, peer));
                    }
                });
        java.net.SocketAddress remote = new InetSocketAddress(host, port);
        ChannelFuture connecting = config.dialFromHost() == null ? b.connect(remote)
                : b.connect(remote, new InetSocketAddress(config.dialFromHost(), 0));
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                connections.decrementAndGet();
                log.debug("cannot connect to peer {} at {}:{}: {}", peer, host, port, f.cause().getMessage());
                swarm.dialFailed(peer);
            } else {
                ((ChannelFuture) f).channel().closeFuture().addListener(c -> connections.decrementAndGet());
            }
        });
    }

    /**
     * Reads this agent's certificate and key again (after a renewal): new connections, accepted or
     * dialed, present the new certificate; open ones keep theirs.
     */
    public void reloadCertificate() throws IOException {
        SslContext server = TlsContexts.server(config.tls(), Set.of(Role.AGENT), revocations, false);
        SslContext client = TlsContexts.client(config.tls(), Set.of(Role.AGENT), revocations);
        serverTls = server;
        clientTls = client;
    }

    /**
     * Closes every open connection whose peer's certificate is now revoked; a connection still in
     * its handshake (checked against the older list) is checked once the handshake ends.
     */
    private void closeRevoked() {
        for (PeerSession s : sessions) {
            Channel ch = s.channel();
            SslHandler tls = ch == null ? null : ch.pipeline().get(SslHandler.class);
            if (tls == null) {
                continue;
            }
            tls.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    closeIfRevoked(s, tls);
                }
            });
        }
    }

    private void closeIfRevoked(PeerSession s, SslHandler tls) {
        try {
            PeerIdentity peer = PeerIdentity.of(tls.engine().getSession());
            if (revocations.isRevoked(peer.serial())) {
                log.info("closing the connection to {} ({}): its certificate (serial {}) is revoked", peer.name(), s,
                        peer.serial().toString(16));
                s.goodbye(Goodbye.Reason.REVOKED, "your certificate is revoked");
            }
        } catch (SSLPeerUnverifiedException e) {
            s.goodbye(Goodbye.Reason.REVOKED, "no verified certificate");
        }
    }

    // ---- releases

    /**
     * The release named {@code manifest} is about to be offered: the agent announced it as soon as
     * its signed targets named it, and is fetching its manifest. A peer that dials us about it
     * meanwhile waits for the manifest (its INTEREST is answered when the swarm registers) instead
     * of hearing {@code UNKNOWN_RELEASE}. Ends with {@link #register} or {@link #abandon}.
     */
    public void expect(Digest manifest) {
        synchronized (expected) {
            if (!swarms.containsKey(manifest)) {
                expected.putIfAbsent(manifest, new ArrayList<>());
            }
        }
    }

    /** The release {@link #expect}ed will not be offered (its manifest could not be had): waiting peers hear so. */
    public void abandon(Digest manifest) {
        List<PeerSession> waiting;
        synchronized (expected) {
            waiting = expected.remove(manifest);
        }
        if (waiting != null) {
            waiting.forEach(s -> s.releaseArrived(null));
        }
    }

    /** Whether {@code session} waits for the release {@code manifest}: it is expected and not yet offered. */
    boolean awaitRelease(Digest manifest, PeerSession session) {
        synchronized (expected) {
            List<PeerSession> waiting = swarms.containsKey(manifest) ? null : expected.get(manifest);
            if (waiting != null) {
                waiting.add(session);
            }
            return waiting != null;
        }
    }

    /** Offers {@code swarm}'s release to peers and lets it use this network. */
    void register(ReleaseSwarm swarm) {
        List<PeerSession> waiting;
        synchronized (expected) {
            swarms.put(swarm.manifestDigest(), swarm);
            waiting = expected.remove(swarm.manifestDigest());
        }
        if (waiting != null) {
            waiting.forEach(s -> s.releaseArrived(swarm));
        }
    }

    void unregister(ReleaseSwarm swarm) {
        swarms.remove(swarm.manifestDigest(), swarm);
    }

    ReleaseSwarm swarm(Digest manifest) {
        return swarms.get(manifest);
    }

    // ---- shared by sessions

    PeerConfig config() {
        return config;
    }

    ChunkStore store() {
        return store;
    }

    EventLoopGroup group() {
        return group;
    }

    ExecutorService blocking() {
        return blocking;
    }

    ExecutorService storing() {
        return storing;
    }

    int listenPort() {
        return listenPort;
    }

    TokenBucket uploadBucket() {
        return uploadBucket;
    }

    TokenBucket downloadBucket() {
        return downloadBucket;
    }

    ServedChunks served() {
        return served;
    }

    void interest(PeerSession session, boolean interested) {
        apply(interested ? slots.interested(session) : slots.notInterested(session));
    }

    void uploaded(PeerSession session, long bytes) {
        bytesUploaded.addAndGet(bytes);
        slots.uploaded(session, bytes);
    }

    /** A connection was closed because of what the peer did (or tried to do); counted for the status. */
    void cutOff() {
        peersCutOff.incrementAndGet();
    }

    /**
     * Makes this agent serve every block with one bit flipped: the liar of the swarm benchmark
     * ({@code caravan demo --liars}) and of tests, nothing else. Its own downloads stay verified.
     */
    public void lie() {
        lying = true;
    }

    boolean lying() {
        return lying;
    }

    void sessionClosed(PeerSession session) {
        sessions.remove(session);
        synchronized (expected) {
            expected.values().forEach(waiting -> waiting.remove(session));
        }
        apply(slots.disconnected(session));
    }

    private static void apply(List<ChokeDecision<PeerSession>> decisions) {
        for (ChokeDecision<PeerSession> d : decisions) {
            d.peer().setUnchoked(d instanceof ChokeDecision.Unchoke);
        }
    }

    // ---- figures

    /** The port peers connect to. */
    public int port() {
        return listenPort;
    }

    /** Chunk bytes sent to peers so far. */
    public long bytesUploaded() {
        return bytesUploaded.get();
    }

    /**
     * Connections closed for what the peer did: over the per-address limit, a protocol error or
     * flood, too slow a transfer, a ban (bad chunk, false claims).
     */
    public long peersCutOff() {
        return peersCutOff.get();
    }

    /** Open peer connections. */
    public int connectionCount() {
        return sessions.size();
    }

    /** Closes every connection (GOODBYE SHUTDOWN) and the listener. */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Closes every connection and the listener; without a GOODBYE if not {@code graceful}, as a
     * crashed machine would vanish (for tests of peers that go away).
     */
    public synchronized void close(boolean graceful) {
        if (slotTimer != null) {
            slotTimer.cancel(false);
        }
        for (PeerSession s : sessions) {
            if (graceful) {
                s.goodbye(Goodbye.Reason.SHUTDOWN, "agent stopping");
            } else if (s.channel() != null) {
                s.channel().close();
            }
        }
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        blocking.shutdownNow();
        storing.shutdownNow();
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        // BoringSSL holds each context's trust manager, and through it the revocations and their
        // listeners, from native memory until the context is freed, which its finalizer does once
        // the context is unreachable. Our listener closed that loop back to this network and its
        // contexts: every closed network stayed in memory with its served-chunk cache (an
        // in-process test run ran out of heap). Contexts are not released here: a dial racing the
        // close on a shared event loop would find its context freed.
        revocations.removeListener(onRevocation);
    }
}
