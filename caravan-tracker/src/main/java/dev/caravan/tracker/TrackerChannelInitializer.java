package dev.caravan.tracker;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of one tracker connection, from the socket inwards:
 * <pre>
 * tls         SslHandler                   TLS 1.3, agent certificates only (none at all allowed when enrolling,
 *                                          then only /v1/enroll answers); nothing passes before the handshake
 * idle        IdleStateHandler             no traffic for idleTimeout closes the connection
 * http        HttpServerCodec              request line and header limits below
 * keep-alive  HttpServerKeepAliveHandler   closes when the client or the response says so
 * aggregator  JsonBodyAggregator           whole bodies up to maxRequestBodyBytes, else 413
 * api         TrackerRequestHandler        routes and answers
 * </pre>
 */
final class TrackerChannelInitializer extends ChannelInitializer<SocketChannel> {
    /** Longest request line: the API's paths are short. */
    static final int MAX_INITIAL_LINE_BYTES = 1024;
    /** Largest header block of a request. */
    static final int MAX_HEADER_BYTES = 8192;

    private final SslContext tls;
    private final TrackerRequestHandler.Services services;
    private final TrackerConfig config;

    TrackerChannelInitializer(SslContext tls, TrackerRequestHandler.Services services, TrackerConfig config) {
        this.tls = tls;
        this.services = services;
        this.config = config;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        // No peer host and port: no session is ever resumed, so every connection is checked anew.
        p.addLast("tls", tls.newHandler(ch.alloc()));
        p.addLast("idle", new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES)));
        p.addLast("keep-alive", new HttpServerKeepAliveHandler());
        p.addLast("aggregator", new JsonBodyAggregator(config.maxRequestBodyBytes()));
        p.addLast("api", new TrackerRequestHandler(services, config.maxReleasesPerAnnounce()));
    }
}
