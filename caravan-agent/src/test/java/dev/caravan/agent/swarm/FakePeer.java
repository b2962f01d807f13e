package dev.caravan.agent.swarm;

import dev.caravan.agent.Agent;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.core.manifest.Manifest;
import dev.caravan.tracker.AnnounceEvent;
import dev.caravan.tracker.AnnounceRequest;
import dev.caravan.tracker.PeerAddress;
import dev.caravan.tracker.ReleaseProgress;
import dev.caravan.tracker.TrackerClient;
import dev.caravan.tracker.TrackerClientConfig;
import dev.caravan.wire.Bitfield;
import dev.caravan.wire.Data;
import dev.caravan.wire.Goodbye;
import dev.caravan.wire.Hello;
import dev.caravan.wire.Interest;
import dev.caravan.wire.Message;
import dev.caravan.wire.MessageDecoder;
import dev.caravan.wire.MessageEncoder;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.Ping;
import dev.caravan.wire.Pong;
import dev.caravan.wire.Reject;
import dev.caravan.wire.Request;
import dev.caravan.wire.Unchoke;
import dev.caravan.wire.tls.Role;
import dev.caravan.wire.tls.TlsContexts;
import dev.caravan.wire.tls.TlsFiles;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A peer made by hand for tests, with a real certificate on real TLS sockets (the way Kraken's
 * tests put fake peers on real listeners). It speaks the protocol with caravan-wire's codec and
 * records what it is told. Listening, it claims the whole release: HELLO, a full BITFIELD in
 * answer to INTEREST, UNCHOKE, and for every REQUEST one DATA of the requested length whose bytes
 * come from its {@link Blocks}, after a delay if it has one; it ignores CANCEL, as a peer whose DATA
 * is already on its way may. Dialing, it says HELLO, INTEREST and an empty BITFIELD.
 */
final class FakePeer implements AutoCloseable {
    /** The bytes a fake peer sends for a requested block; as many as the request asks for. */
    interface Blocks {
        byte[] block(Request request) throws IOException;

        /** The true bytes, from the deployment's repository. */
        static Blocks honest(Deployment d) throws IOException {
            ChunkStore repoChunks = d.repositoryChunks();
            Manifest manifest = d.manifest();
            return r -> {
                byte[] chunk = repoChunks.read(manifest.distinctChunks().get(r.chunk()).digest());
                byte[] block = new byte[r.length()];
                System.arraycopy(chunk, r.offset(), block, 0, r.length());
                return block;
            };
        }

        /** The true bytes with one bit flipped in the middle of every block. */
        static Blocks corrupted(Deployment d) throws IOException {
            Blocks honest = honest(d);
            return r -> {
                byte[] block = honest.block(r);
                block[block.length / 2] ^= 0x10;
                return block;
            };
        }
    }

    /** How a listening fake peer answers a REQUEST, on the connection's event loop. */
    interface Answer {
        void answer(ChannelHandlerContext ctx, Request request);

        /** Refuses every request with {@code reason}, though its BITFIELD claimed every chunk. */
        static Answer reject(Reject.Reason reason) {
            return (ctx, r) -> ctx.writeAndFlush(new Reject(r.range(), reason));
        }

        /**
         * Answers the first request with a true DATA frame, sent one byte every {@code every}; the
         * other requests wait behind it, as on a real connection, forever.
         */
        static Answer drip(Blocks blocks, Duration every) {
            AtomicInteger dripping = new AtomicInteger();
            return (ctx, r) -> {
                if (dripping.getAndIncrement() > 0) {
                    return;
                }
                byte[] block;
                try {
                    block = blocks.block(r);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                ByteBuf frame = Unpooled.buffer(4 + 1 + 8 + block.length);
                frame.writeInt(1 + 8 + block.length).writeByte(0x06).writeInt(r.chunk()).writeInt(r.offset()).writeBytes(block);
                ctx.executor().scheduleAtFixedRate(() -> {
                    if (frame.isReadable() && ctx.channel().isActive()) {
                        ctx.writeAndFlush(frame.readRetainedSlice(1));
                    }
                }, 0, every.toNanos(), TimeUnit.NANOSECONDS);
            };
        }
    }

    /** A GOODBYE this fake peer was sent, and by whom (the peer id of its HELLO, or null before one). */
    record Farewell(PeerId from, Goodbye.Reason reason, String message) {}

    private final PeerId peerId = PeerId.random(new SecureRandom());
    private final TlsFiles tls;
    private final Manifest manifest;
    private final Blocks blocks;
    private final Duration answerDelay;
    private final Answer answer;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong blocksSent = new AtomicLong();
    private final Queue<Message> received = new ConcurrentLinkedQueue<>();
    private final Queue<Farewell> farewells = new ConcurrentLinkedQueue<>();
    private Channel listener;
    private volatile boolean freshIds;
    private volatile int version = Hello.PROTOCOL_VERSION;
    private volatile boolean dialAsSeed;
    private volatile boolean dialWithData;

    /**
     * A fake peer presenting {@code tls}'s certificate and trusting its CA file; {@code blocks} may
     * be null for one that only dials.
     */
    FakePeer(TlsFiles tls, Manifest manifest, Blocks blocks, Duration answerDelay) {
        this.tls = tls;
        this.manifest = manifest;
        this.blocks = blocks;
        this.answerDelay = answerDelay;
        this.answer = null;
    }

    /** A fake peer that answers requests its own way; {@code answer} may be null for one that only dials. */
    FakePeer(TlsFiles tls, Manifest manifest, Answer answer) {
        this.tls = tls;
        this.manifest = manifest;
        this.blocks = null;
        this.answerDelay = Duration.ZERO;
        this.answer = answer;
    }

    private void send(ChannelHandlerContext ctx, Request r) {
        byte[] bytes;
        try {
            bytes = blocks.block(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        blocksSent.incrementAndGet();
        ctx.writeAndFlush(new Data(r.chunk(), r.offset(), Unpooled.wrappedBuffer(bytes)));
    }

    PeerId peerId() {
        return peerId;
    }

    /** From now on each connection says HELLO with a new peer id, as a peer posing as many would. */
    FakePeer freshIdPerConnection() {
        freshIds = true;
        return this;
    }

    /** From now on each connection's HELLO offers {@code v} as the highest protocol version spoken. */
    FakePeer speaking(int v) {
        version = v;
        return this;
    }

    /**
     * From now on, dialing, it claims the whole release and unchokes at once: HELLO, INTEREST, a full
     * BITFIELD and UNCHOKE, without waiting for the other side's BITFIELD; it serves requests as a
     * listener does.
     */
    FakePeer dialingAsSeed() {
        dialAsSeed = true;
        return this;
    }

    /** From now on, dialing, it sends a DATA nobody asked for right after its BITFIELD. */
    FakePeer dialingWithUnaskedData() {
        dialWithData = true;
        return this;
    }

    /** Listens on 127.0.0.1; returns the port. */
    int listen() throws IOException, InterruptedException {
        SslContext context = TlsContexts.server(tls, Set.of(Role.AGENT));
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        pipeline(ch, context, false);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /**
     * Listens, and tells the deployment's tracker, as the holder of {@code announcer}'s certificate,
     * that this peer holds the whole release.
     */
    void seed(Deployment d, TlsFiles announcer) throws Exception {
        int port = listen();
        try (TrackerClient tracker = new TrackerClient(TrackerClientConfig.defaults("127.0.0.1", d.trackerPort(), announcer))) {
            tracker.announce(new AnnounceRequest(peerId, new PeerAddress("127.0.0.1", port), "default",
                    List.of(ReleaseProgress.complete(manifest.digest(), chunkCount())), AnnounceEvent.STARTED));
        }
    }

    /** Dials an agent's peer listener; returns the connection, whose handshake may still fail. */
    Channel dial(Agent agent) throws IOException, InterruptedException {
        return dial(agent, TlsContexts.client(tls, Set.of(Role.AGENT)));
    }

    /** Dials an agent's peer listener with its own TLS client context. */
    Channel dial(Agent agent, SslContext context) throws InterruptedException {
        return dial(agent.settings().peer().listenHost(), agent.peerPort(), context);
    }

    /** Dials a peer listener at {@code host}:{@code port}. */
    Channel dial(String host, int port) throws IOException, InterruptedException {
        return dial(host, port, TlsContexts.client(tls, Set.of(Role.AGENT)));
    }

    private Channel dial(String host, int port, SslContext context) throws InterruptedException {
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        pipeline(ch, context, true);
                    }
                })
                .connect(host, port).sync().channel();
    }

    private void pipeline(SocketChannel ch, SslContext context, boolean dialer) {
        ch.pipeline().addLast("tls", context.newHandler(ch.alloc()));
        ch.pipeline().addLast("count", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                bytesReceived.addAndGet(((ByteBuf) msg).readableBytes());
                ctx.fireChannelRead(msg);
            }
        });
        ch.pipeline().addLast("decoder", new MessageDecoder());
        ch.pipeline().addLast("encoder", MessageEncoder.INSTANCE);
        ch.pipeline().addLast("conversation", new Conversation(dialer));
    }

    /** Connections accepted on the listener, handshaken or not. */
    int connectionsAccepted() {
        return connections.get();
    }

    /** TLS handshakes this side completed. */
    int handshakesCompleted() {
        return handshakes.get();
    }

    /** Application bytes received: decrypted TLS payload. */
    long bytesReceived() {
        return bytesReceived.get();
    }

    long blocksSent() {
        return blocksSent.get();
    }

    /** The messages received, but DATA. */
    List<Message> received() {
        return List.copyOf(received);
    }

    List<Farewell> farewells() {
        return List.copyOf(farewells);
    }

    /** The peers that sent a GOODBYE for {@code reason}. */
    Set<PeerId> peersSaying(Goodbye.Reason reason) {
        return farewells.stream().filter(f -> f.reason() == reason).map(Farewell::from).collect(Collectors.toSet());
    }

    private int chunkCount() {
        return manifest.distinctChunks().size();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One connection's side of the protocol (docs/protocol.md §4), on its event loop. */
    private final class Conversation extends ChannelInboundHandlerAdapter {
        private final boolean dialer;
        private final PeerId self = freshIds ? PeerId.random(new SecureRandom()) : peerId;
        private PeerId remote;

        Conversation(boolean dialer) {
            this.dialer = dialer;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
                handshakes.incrementAndGet();
                ctx.write(new Hello(version, self, "default", 0));
                if (dialer) {
                    ctx.write(new Interest(manifest.digest()));
                    ctx.write(dialAsSeed ? Bitfield.full(chunkCount()) : Bitfield.empty(chunkCount()));
                    if (dialAsSeed) {
                        ctx.write(Unchoke.INSTANCE);
                    }
                    if (dialWithData) {
                        ctx.write(new Data(0, 0, Unpooled.wrappedBuffer(new byte[16])));
                    }
                }
                ctx.flush();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!(msg instanceof Data)) {
                    received.add((Message) msg);
                }
                switch (msg) {
                    case Hello h -> remote = h.peerId();
                    case Interest i when !dialer -> {
                        ctx.write(Bitfield.full(chunkCount()));
                        ctx.writeAndFlush(Unchoke.INSTANCE);
                    }
                    case Request r when answer != null -> answer.answer(ctx, r);
                    case Request r when blocks != null -> ctx.executor().schedule(() -> send(ctx, r),
                            answerDelay.toNanos(), TimeUnit.NANOSECONDS);
                    case Ping p -> ctx.writeAndFlush(new Pong(p.nonce()));
                    case Goodbye g -> {
                        farewells.add(new Farewell(remote, g.reason(), g.message()));
                        ctx.close();
                    }
                    default -> { }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
