package dev.caravan.tracker;

import dev.caravan.wire.tls.TlsContexts;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;

/**
 * One request (an announce, an enrollment, a renewal, the revocation list) on one connection, last in the client's pipeline
 * ({@code SslHandler → HttpClientCodec → HttpObjectAggregator → this}): sends the request once
 * the TLS handshake succeeds, completes {@code answer} with the first response, and turns every
 * way the exchange can fail into a typed {@link TrackerException}.
 */
final class AnnounceExchangeHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    /** A response as received: its status and body. */
    record Answer(int status, byte[] body) {
    }

    private final HttpMethod method;
    private final String path;
    private final byte[] json;
    private final String hostHeader;
    private final String tracker;
    private final CompletableFuture<Answer> answer;

    /** An exchange of {@code method path} with {@code json} as body (empty for none). */
    AnnounceExchangeHandler(HttpMethod method, String path, byte[] json, String hostHeader, String tracker,
            CompletableFuture<Answer> answer) {
        this.method = method;
        this.path = path;
        this.json = json;
        this.hostHeader = hostHeader;
        this.tracker = tracker;
        this.answer = answer;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            if (e.isSuccess()) {
                FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path,
                        Unpooled.wrappedBuffer(json));
                request.headers().set(HttpHeaderNames.HOST, hostHeader)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, json.length)
                        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                if (json.length > 0) {
                    request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                }
                ctx.writeAndFlush(request);
            } else {
                fail(ctx, new TrackerException("TLS handshake with tracker " + tracker + " failed: " + TlsContexts.reason(e.cause()),
                        e.cause()));
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
        if (!response.decoderResult().isSuccess()) {
            fail(ctx, new TrackerException("malformed HTTP answer from tracker " + tracker, response.decoderResult().cause()));
            return;
        }
        answer.complete(new Answer(response.status().code(), ByteBufUtil.getBytes(response.content())));
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
            Throwable tls = cause instanceof SSLException ? cause : cause.getCause();
            fail(ctx, new TrackerException("TLS with tracker " + tracker + " failed (certificate refused?): " + tls.getMessage(), tls));
        } else if (cause instanceof TooLongFrameException) {
            fail(ctx, new TrackerException("tracker " + tracker + " sent an oversized answer: " + cause.getMessage(), cause));
        } else {
            fail(ctx, new TrackerUnavailableException("connection to tracker " + tracker + " failed: " + cause, cause));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        answer.completeExceptionally(new TrackerUnavailableException("tracker " + tracker + " closed the connection before answering"));
        super.channelInactive(ctx);
    }

    private void fail(ChannelHandlerContext ctx, TrackerException e) {
        answer.completeExceptionally(e);
        ctx.close();
    }
}
