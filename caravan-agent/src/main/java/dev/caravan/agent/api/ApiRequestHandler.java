package dev.caravan.agent.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.agent.Agent;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local API's routes, last in a connection's pipeline (see {@link ApiServer}):
 * <pre>
 * GET /status    200, {@link StatusJson}
 * GET /metrics   200, {@link AgentMetrics} in the Prometheus text format
 * other paths    404; another method on a route: 405 with {@code Allow: GET}
 * </pre>
 * Refusals carry {@code {"error": "..."}}. Shared by every connection: it keeps no state of its own.
 */
@ChannelHandler.Sharable
final class ApiRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(ApiRequestHandler.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The Prometheus text exposition format that {@link AgentMetrics#scrape()} writes. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Supplier<Agent.Status> status;
    private final AgentMetrics metrics;

    ApiRequestHandler(Supplier<Agent.Status> status, AgentMetrics metrics) {
        this.status = status;
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            reply(ctx, error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"), true);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean known = path.equals("/status") || path.equals("/metrics");
        if (!known) {
            reply(ctx, error(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + path + "; there are /status and /metrics"),
                    false);
        } else if (!request.method().equals(HttpMethod.GET)) {
            // RFC 9110 §15.5.6: a 405 names the methods the resource supports.
            FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed here; the local API is read-only, use GET");
            response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
            reply(ctx, response, false);
        } else if (path.equals("/status")) {
            reply(ctx, response(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON.toString(),
                    StatusJson.write(status.get())), false);
        } else {
            reply(ctx, response(HttpResponseStatus.OK, PROMETHEUS_TEXT,
                    metrics.scrape().getBytes(StandardCharsets.UTF_8)), false);
        }
    }

    private static FullHttpResponse error(HttpResponseStatus status, String message) {
        byte[] json;
        try {
            json = MAPPER.writeValueAsBytes(Map.of("error", message));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a JSON string", e);
        }
        return response(status, HttpHeaderValues.APPLICATION_JSON.toString(), json);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }

    private static void reply(ChannelHandlerContext ctx, FullHttpResponse response, boolean close) {
        if (close) {
            HttpUtil.setKeepAlive(response, false);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("local API connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("closing local API connection from {} after an error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
