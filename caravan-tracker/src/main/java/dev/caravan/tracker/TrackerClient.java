package dev.caravan.tracker;

import dev.caravan.wire.tls.Role;
import dev.caravan.wire.tls.TlsContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What an agent uses to announce to a tracker: HTTPS over mutual TLS 1.3, presenting the agent's
 * certificate and accepting only a tracker's certificate from the deployment CA.
 *
 * <pre>{@code
 * try (TrackerClient client = new TrackerClient(TrackerClientConfig.defaults("tracker.example", 7070, tls))) {
 *     AnnounceResponse answer = client.announce(request);   // blocks; schedule the next in answer.interval()
 * }
 * }</pre>
 *
 * <p>Implementation notes: each announce opens its own connection and closes it after the answer.
 * Announces are rare (one per interval, 30 s by default), and a fresh connection makes a full
 * TLS handshake each time, so the tracker checks the agent's certificate at every announce
 * (revocation will rely on that) and holds no idle connection per agent.
 *
 * <p>Thread-safe; {@link #announce} must not be called from one of this client's I/O threads.
 */
public final class TrackerClient implements AutoCloseable {
    private final TrackerClientConfig config;
    private final SslContext tls;
    private final EventLoopGroup group;
    private final String tracker;

    /**
     * A client for the tracker {@code config} names.
     *
     * @throws IOException if the agent's certificate, key or CA cannot be read
     */
    public TrackerClient(TrackerClientConfig config) throws IOException {
        this.config = Objects.requireNonNull(config, "config");
        this.tls = TlsContexts.client(config.tls(), Set.of(Role.TRACKER));
        this.tracker = new PeerAddress(config.host(), config.port()).toString();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tracker-client", true), NioIoHandler.newFactory());
    }

    /**
     * Announces and waits for the answer, at most {@link TrackerClientConfig#requestTimeout()}.
     *
     * @throws TrackerUnavailableException if the tracker cannot be reached, does not answer in
     *     time, closes the connection, or answers 5xx (retry later)
     * @throws TrackerRejectedException if the tracker refuses the request (4xx)
     * @throws TrackerException if the TLS handshake fails or the answer is malformed
     */
    public AnnounceResponse announce(AnnounceRequest request) throws TrackerException {
        for (EventExecutor e : group) {
            if (e.inEventLoop()) {
                throw new IllegalStateException("announce blocks; do not call it from the client's I/O thread");
            }
        }
        byte[] json = AnnounceRequestJson.write(request);
        CompletableFuture<AnnounceExchangeHandler.Answer> answer = new CompletableFuture<>();
        ChannelFuture connect = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()), new HttpClientCodec(),
                                new HttpObjectAggregator(config.maxResponseBytes()),
                                new AnnounceExchangeHandler(json, tracker, tracker, answer));
                    }
                })
                .connect(config.host(), config.port());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                answer.completeExceptionally(new TrackerUnavailableException("cannot connect to tracker " + tracker + ": "
                        + f.cause().getMessage(), f.cause()));
            }
        });
        try {
            AnnounceExchangeHandler.Answer a = answer.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (a.status() == 200) {
                return AnnounceResponseJson.read(a.body());
            }
            if (a.status() >= 400 && a.status() < 500) {
                throw AnnounceResponseJson.rejection(a.status(), a.body());
            }
            throw new TrackerUnavailableException("tracker " + tracker + " answered " + a.status());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof TrackerException t ? t
                    : new TrackerUnavailableException("announce to tracker " + tracker + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new TrackerUnavailableException("tracker " + tracker + " did not answer within " + config.requestTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrackerUnavailableException("interrupted while announcing to tracker " + tracker);
        } finally {
            connect.channel().close();
        }
    }

    /** Closes the client's I/O thread; announces in flight fail. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
