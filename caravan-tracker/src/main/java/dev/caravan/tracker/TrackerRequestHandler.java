package dev.caravan.tracker;

import dev.caravan.wire.tls.TlsContexts;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.wire.tls.PeerIdentity;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
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
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker's API, last in a connection's pipeline (see {@link TrackerChannelInitializer}):
 * routes each aggregated request and answers it with JSON.
 * <pre>
 * POST /v1/announce   record an announce, answer peer lists        (else 405)
 * GET  /v1/health     {"status":"ok","peers":N}                      (else 405)
 * GET  /v1/swarms     live peers and seeders per release             (else 405)
 * anything else       404
 * </pre>
 * Every refusal carries {@code {"error": "...", "field": "..."}}. One instance per connection: it
 * remembers the identity the TLS handshake established.
 */
final class TrackerRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(TrackerRequestHandler.class);

    private final Tracker tracker;
    private final int maxReleases;
    private PeerIdentity identity;

    TrackerRequestHandler(Tracker tracker, int maxReleases) {
        this.tracker = tracker;
        this.maxReleases = maxReleases;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            Throwable cause = request.decoderResult().cause();
            reply(ctx, HttpResponseStatus.BAD_REQUEST, AnnounceResponseJson.error(
                    "malformed HTTP request: " + (cause == null ? "unknown" : cause.getMessage()), "request"), true);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        switch (path) {
            case "/v1/announce" -> {
                if (allowed(ctx, request, HttpMethod.POST)) {
                    announce(ctx, request);
                }
            }
            case "/v1/health" -> {
                if (allowed(ctx, request, HttpMethod.GET)) {
                    ObjectNode body = AnnounceRequestJson.MAPPER.createObjectNode().put("status", "ok")
                            .put("peers", tracker.livePeers());
                    reply(ctx, HttpResponseStatus.OK, AnnounceResponseJson.bytes(body), false);
                }
            }
            case "/v1/swarms" -> {
                if (allowed(ctx, request, HttpMethod.GET)) {
                    reply(ctx, HttpResponseStatus.OK, swarms(), false);
                }
            }
            default -> reply(ctx, HttpResponseStatus.NOT_FOUND, AnnounceResponseJson.error("no such endpoint: " + path, null), false);
        }
    }

    private void announce(ChannelHandlerContext ctx, FullHttpRequest request) {
        AnnounceRequest announce;
        try {
            announce = AnnounceRequestJson.read(ByteBufUtil.getBytes(request.content()), maxReleases);
        } catch (BadRequestException e) {
            reply(ctx, HttpResponseStatus.BAD_REQUEST, AnnounceResponseJson.error(e.getMessage(), e.field()), false);
            return;
        }
        PeerIdentity who;
        try {
            who = identity(ctx);
        } catch (SSLPeerUnverifiedException e) {
            // Cannot happen after a successful handshake with client authentication REQUIRE.
            reply(ctx, HttpResponseStatus.FORBIDDEN, AnnounceResponseJson.error(e.getMessage(), null), true);
            return;
        }
        String remoteHost = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
        try {
            AnnounceResponse answer = tracker.announce(announce, who.name(), remoteHost);
            log.debug("{} announced {} as {} ({} releases)", who.name(), announce.event().label(), announce.peerId(),
                    announce.releases().size());
            reply(ctx, HttpResponseStatus.OK, AnnounceResponseJson.write(answer), false);
        } catch (Tracker.PeerIdTakenException e) {
            reply(ctx, HttpResponseStatus.FORBIDDEN, AnnounceResponseJson.error(e.getMessage(), "peer_id"), false);
        }
    }

    private byte[] swarms() {
        ObjectNode root = AnnounceRequestJson.MAPPER.createObjectNode();
        ArrayNode list = root.putArray("swarms");
        for (SwarmSummary s : tracker.swarms()) {
            list.addObject().put("manifest", s.manifest().hex()).put("peers", s.peers()).put("seeders", s.seeders());
        }
        return AnnounceResponseJson.bytes(root);
    }

    /** Whether the request uses {@code method}; if not, answers 405 with the Allow header (RFC 9110 §15.5.6). */
    private static boolean allowed(ChannelHandlerContext ctx, FullHttpRequest request, HttpMethod method) {
        if (request.method().equals(method)) {
            return true;
        }
        FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED,
                AnnounceResponseJson.error(request.method() + " is not allowed here; use " + method, "method"));
        response.headers().set(HttpHeaderNames.ALLOW, method.name());
        ctx.writeAndFlush(response);
        return false;
    }

    private PeerIdentity identity(ChannelHandlerContext ctx) throws SSLPeerUnverifiedException {
        if (identity == null) {
            identity = PeerIdentity.of(ctx.pipeline().get(SslHandler.class).engine().getSession());
        }
        return identity;
    }

    private static void reply(ChannelHandlerContext ctx, HttpResponseStatus status, byte[] json, boolean close) {
        FullHttpResponse response = response(status, json);
        if (close) {
            HttpUtil.setKeepAlive(response, false);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response);
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, byte[] json) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(json));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, json.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
            // The SslHandler closes the connection; nothing of the API was sent.
            log.info("tracker refused a TLS client from {}: {}", ctx.channel().remoteAddress(), TlsContexts.reason(e.cause()));
        } else if (evt instanceof IdleStateEvent) {
            ctx.close();
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause.getCause() instanceof SSLException) {
            log.debug("connection fault from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("closing tracker connection from {} after an error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
