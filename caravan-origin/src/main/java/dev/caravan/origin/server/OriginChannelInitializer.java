package dev.caravan.origin.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of one origin connection, from the socket inwards:
 * <pre>
 * traffic     OriginTraffic                counts connections and what reaches the socket
 * upload-cap  GlobalTrafficShapingHandler  (only with a cap) paces all connections together
 * tls         SslHandler                   (only with TLS)
 * idle        IdleStateHandler             no request and no write progress for idleTimeout
 * http        HttpServerCodec              request limits below
 * keep-alive  HttpServerKeepAliveHandler   closes when the client or the response says so
 * chunked     ChunkedWriteHandler          (only with TLS or a cap) file in 64 KiB pieces
 * files       FileRequestHandler
 * </pre>
 * Zero-copy ({@code sendfile}) is used only when nothing between the handler and the socket
 * needs to see the bytes: TLS must encrypt them, and the shaper can pace a file only if it comes
 * in pieces (a single region would be held back, then sent in one burst).
 */
final class OriginChannelInitializer extends ChannelInitializer<SocketChannel> {

    /** Longest request line: a chunk path is ~80 bytes, a target name a few hundred. */
    static final int MAX_INITIAL_LINE_BYTES = 4096;
    /** Largest header block of a request. */
    static final int MAX_HEADER_BYTES = 8192;

    private final RepositoryFiles files;
    private final SslContext tls;
    private final GlobalTrafficShapingHandler uploadCap;
    private final OriginTraffic traffic;
    private final long idleMillis;

    OriginChannelInitializer(RepositoryFiles files, SslContext tls, GlobalTrafficShapingHandler uploadCap,
            OriginTraffic traffic, Duration idleTimeout) {
        this.files = files;
        this.tls = tls;
        this.uploadCap = uploadCap;
        this.traffic = traffic;
        this.idleMillis = idleTimeout.toMillis();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("traffic", traffic);
        if (uploadCap != null) {
            p.addLast("upload-cap", uploadCap);
        }
        if (tls != null) {
            p.addLast("tls", tls.newHandler(ch.alloc()));
        }
        // observeOutput: a slow client still taking a large file is not idle.
        p.addLast("idle", new IdleStateHandler(true, 0, 0, idleMillis, TimeUnit.MILLISECONDS));
        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES)));
        p.addLast("keep-alive", new HttpServerKeepAliveHandler());
        boolean zeroCopy = tls == null && uploadCap == null;
        if (!zeroCopy) {
            p.addLast("chunked", new ChunkedWriteHandler());
        }
        p.addLast("files", new FileRequestHandler(files, zeroCopy));
    }
}
