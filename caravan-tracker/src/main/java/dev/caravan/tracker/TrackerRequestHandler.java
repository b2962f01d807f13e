package dev.caravan.tracker;

import dev.caravan.wire.tls.TlsContexts;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.wire.tls.EnrollmentException;
import dev.caravan.wire.tls.PeerIdentity;
import dev.caravan.wire.tls.Revocations;
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
 * POST /v1/enroll     a join token and a certificate request: a new agent certificate  (no client certificate needed)
 * POST /v1/announce   record an announce, answer peer lists        (else 405)
 * POST /v1/renew      a certificate request: a new certificate for the caller's name
 * GET  /v1/crl        the CA's revocation list (DER), 404 if none
 * GET  /v1/health     {"status":"ok","peers":N}                      (else 405)
 * GET  /v1/swarms     live peers and seeders per release             (else 405)
 * anything else       404
 * </pre>
 * Every path but {@code /v1/enroll} needs an agent certificate: a client without one (a tracker that
 * enrolls lets it through the handshake) gets 403 and the connection closes. A client whose
 * certificate was revoked after its connection opened gets 403 on its next request, and the
 * connection closes.
 * Every refusal carries {@code {"error": "...", "field": "..."}}. One instance per connection: it
 * remembers the identity the TLS handshake established.
 */
final class TrackerRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(TrackerRequestHandler.class);

    /**
     * What every connection's handler shares.
     *
     * @param enrollments the certificate desk, or null if this tracker does not enroll
     */
    record Services(Tracker tracker, Enrollments enrollments, Revocations revocations) {
    }

    private final Tracker tracker;
    private final Services services;
    private final int maxReleases;
    private PeerIdentity identity;

    TrackerRequestHandler(Services services, int maxReleases) {
        this.services = services;
        this.tracker = services.tracker();
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
        if (path.equals("/v1/enroll")) {
            if (allowed(ctx, request, HttpMethod.POST)) {
                enroll(ctx, request);
            }
            return;
        }
        PeerIdentity who;
        try {
            who = identity(ctx);
        } catch (SSLPeerUnverifiedException e) {
            reply(ctx, HttpResponseStatus.FORBIDDEN, AnnounceResponseJson.error("an agent certificate is required here; "
                    + "a machine without one may only POST /v1/enroll", null), true);
            return;
        }
        if (services.revocations().isRevoked(who.serial())) {
            log.info("tracker closed a connection of {}: its certificate (serial {}) is revoked", who.name(), who.serial().toString(16));
            reply(ctx, HttpResponseStatus.FORBIDDEN, AnnounceResponseJson.error("the certificate of " + who.name()
                    + " is revoked", null), true);
            return;
        }
        tracker.calledWith(who.name(), who.serial());
        switch (path) {
            case "/v1/renew" -> {
                if (allowed(ctx, request, HttpMethod.POST)) {
                    renew(ctx, request, who);
                }
            }
            case "/v1/crl" -> {
                if (allowed(ctx, request, HttpMethod.GET)) {
                    byte[] crl = services.revocations().encoded();
                    if (crl == null) {
                        reply(ctx, HttpResponseStatus.NOT_FOUND, AnnounceResponseJson.error("this tracker has no revocation list",
                                null), false);
                    } else {
                        FullHttpResponse response = response(HttpResponseStatus.OK, crl);
                        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/pkix-crl");
                        ctx.writeAndFlush(response);
                    }
                }
            }
            case "/v1/announce" -> {
                if (allowed(ctx, request, HttpMethod.POST)) {
                    announce(ctx, request, who);
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

    private void enroll(ChannelHandlerContext ctx, FullHttpRequest request) {
        Enrollments desk = services.enrollments();
        if (desk == null) {
            reply(ctx, HttpResponseStatus.NOT_FOUND, AnnounceResponseJson.error("this tracker does not enroll agents", null), true);
            return;
        }
        String remote = String.valueOf(ctx.channel().remoteAddress());
        try {
            byte[] body = ByteBufUtil.getBytes(request.content());
            Enrollments.Issued issued = desk.enroll(EnrollmentJson.token(body), EnrollmentJson.csr(body));
            log.info("tracker enrolled agent {} from {} (certificate valid until {})", issued.name(), remote, issued.notAfter());
            reply(ctx, HttpResponseStatus.OK, EnrollmentJson.answer(issued), true);
        } catch (BadRequestException e) {
            reply(ctx, HttpResponseStatus.BAD_REQUEST, AnnounceResponseJson.error(e.getMessage(), e.field()), true);
        } catch (EnrollmentException e) {
            log.info("tracker refused an enrollment from {}: {}", remote, e.getMessage());
            reply(ctx, HttpResponseStatus.FORBIDDEN, AnnounceResponseJson.error(e.getMessage(), "token"), true);
        } catch (IOException e) {
            log.warn("tracker cannot enroll from {}: {}", remote, e.toString());
            reply(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, AnnounceResponseJson.error("the tracker cannot issue certificates now",
                    null), true);
        }
    }

    private void renew(ChannelHandlerContext ctx, FullHttpRequest request, PeerIdentity who) {
        Enrollments desk = services.enrollments();
        if (desk == null) {
            reply(ctx, HttpResponseStatus.NOT_FOUND, AnnounceResponseJson.error("this tracker does not renew certificates", null),
                    false);
            return;
        }
        try {
            Enrollments.Issued issued = desk.renew(who, EnrollmentJson.csr(ByteBufUtil.getBytes(request.content())));
            log.info("tracker renewed the certificate of {} (valid until {})", who.name(), issued.notAfter());
            reply(ctx, HttpResponseStatus.OK, EnrollmentJson.answer(issued), false);
        } catch (BadRequestException e) {
            reply(ctx, HttpResponseStatus.BAD_REQUEST, AnnounceResponseJson.error(e.getMessage(), e.field()), false);
        } catch (EnrollmentException e) {
            reply(ctx, HttpResponseStatus.FORBIDDEN, AnnounceResponseJson.error(e.getMessage(), "csr"), false);
        } catch (IOException e) {
            log.warn("tracker cannot renew the certificate of {}: {}", who.name(), e.toString());
            reply(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, AnnounceResponseJson.error("the tracker cannot issue certificates now",
                    null), false);
        }
    }

    private void announce(ChannelHandlerContext ctx, FullHttpRequest request, PeerIdentity who) {
        AnnounceRequest announce;
        try {
            announce = AnnounceRequestJson.read(ByteBufUtil.getBytes(request.content()), maxReleases);
        } catch (BadRequestException e) {
            reply(ctx, HttpResponseStatus.BAD_REQUEST, AnnounceResponseJson.error(e.getMessage(), e.field()), false);
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

    /** Who called, from the certificate the handshake checked; throws if the client presented none. */
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
