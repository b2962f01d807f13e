package dev.caravan.agent.api;

import dev.caravan.agent.Agent;
import dev.caravan.agent.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's local HTTP/1.1 API server ({@code api.listen}): {@code /status} and
 * {@code /metrics}, read-only, unauthenticated, on one I/O thread of its own.
 *
 * <pre>{@code
 * try (ApiServer api = new ApiServer(HostPort.parse("127.0.0.1:7880"), agent::status)) {
 *     InetSocketAddress bound = api.start();
 *     ...
 * }
 * }</pre>
 *
 * A connection's pipeline, from the socket inwards:
 * <pre>
 * idle        IdleStateHandler             nothing sent or received for 60 s closes it
 * http        HttpServerCodec              request line 4 KiB, headers 8 KiB, else 400
 * keep-alive  HttpServerKeepAliveHandler   closes when the client or the response says so
 * aggregator  HttpObjectAggregator         bodies up to 8 KiB (the API takes none), else 413
 * api         ApiRequestHandler            routes and answers
 * </pre>
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    static final int MAX_INITIAL_LINE_BYTES = 4096;
    static final int MAX_HEADER_BYTES = 8192;
    static final int MAX_BODY_BYTES = 8192;
    static final long IDLE_SECONDS = 60;

    private final HostPort listen;
    private final ApiRequestHandler handler;
    private EventLoopGroup group;
    private Channel serverChannel;
    private boolean closed;

    /**
     * An API that answers with what {@code status} says at the time of each request.
     *
     * @param listen where to listen; port 0 for any free port
     * @param status the agent's status, typically {@code agent::status}; called on the I/O thread, so it must not block
     */
    public ApiServer(HostPort listen, Supplier<Agent.Status> status) {
        this.listen = Objects.requireNonNull(listen, "listen");
        this.handler = new ApiRequestHandler(status, new AgentMetrics(status));
    }

    /**
     * Listens; returns the bound address (with the actual port if {@code listen} asked for port 0).
     *
     * @throws IOException if the address cannot be bound, naming it
     * @throws IllegalStateException if already started or closed
     */
    public synchronized InetSocketAddress start() throws IOException {
        if (serverChannel != null || closed) {
            throw new IllegalStateException("local API already started or closed");
        }
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("caravan-api", true), NioIoHandler.newFactory());
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
                        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES).setMaxHeaderSize(MAX_HEADER_BYTES)));
                        p.addLast("keep-alive", new HttpServerKeepAliveHandler());
                        p.addLast("aggregator", new HttpObjectAggregator(MAX_BODY_BYTES));
                        p.addLast("api", handler);
                    }
                })
                .bind(listen.host(), listen.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            throw new IOException("the local API cannot listen on " + listen + ": " + bound.cause().getMessage(),
                    bound.cause());
        }
        serverChannel = bound.channel();
        InetSocketAddress address = (InetSocketAddress) serverChannel.localAddress();
        if (!address.getAddress().isLoopbackAddress()) {
            log.warn("the local API listens on {}, which is not a loopback address: it has no authentication, so anyone"
                    + " who can reach it reads this agent's status", address);
        }
        log.info("local API on http://{}/status and /metrics", new HostPort(hostText(address.getAddress()),
                address.getPort()));
        return address;
    }

    private static String hostText(InetAddress address) {
        return address.getHostAddress().replaceFirst("%.*$", ""); // no IPv6 scope id in a URL
    }

    /** Stops listening, closes every connection and waits (a few seconds at most) for the thread to end. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
