package dev.caravan.origin.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers GET and HEAD with repository files: the last handler of an origin connection's
 * pipeline, after {@code HttpServerCodec}, {@code HttpServerKeepAliveHandler} and, when the bytes
 * must pass through the JVM (TLS or an upload cap), {@code ChunkedWriteHandler}.
 *
 * <p>Each response sets Content-Length, so the connection stays open for the next request
 * unless the client asked to close (RFC 9112 §9.3). A 304 carries the Content-Length a 200
 * would have (RFC 9110 §8.6), which keeps its framing self-evident too. Request content is
 * never read for meaning: a request that carries some is answered and the connection closed
 * (RFC 9112 §9.6), since the rest of the stream is not worth parsing.
 *
 * <p>A request for an immutable metadata or target file {@code P} whose Accept-Encoding takes gzip gets the
 * publisher's gzip copy {@code P.gz} when there is one, as nginx's {@code gzip_static on} does:
 * {@code Content-Encoding: gzip}, that copy's length, byte ranges of that copy. Nothing is
 * compressed on the fly, and chunks are always sent as they are.
 *
 * <p>Pipelined requests (RFC 9112 §9.3.2) are answered in order; while a few responses are
 * queued the handler stops reading, and a client that still gets more than
 * {@value #MAX_PIPELINED} requests in before that takes effect is disconnected, so one
 * connection cannot hold an unbounded number of open files.
 */
final class FileRequestHandler extends SimpleChannelInboundHandler<HttpObject> {

    static final int MAX_PIPELINED = 32;
    private static final int PAUSE_READING_AT = 4;
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(FileRequestHandler.class);
    /**
     * One line per response, off unless this logger is set to DEBUG: client, method, path, status
     * and the body bytes it promised (what nginx's access log says).
     */
    private static final Logger access = LoggerFactory.getLogger("dev.caravan.origin.access");

    private final RepositoryFiles files;
    private final boolean zeroCopy;
    private int inFlight;

    /** @param zeroCopy send with {@code sendfile} ({@link DefaultFileRegion}); only when nothing transforms the bytes */
    FileRequestHandler(RepositoryFiles files, boolean zeroCopy) {
        this.files = files;
        this.zeroCopy = zeroCopy;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        // Request content (HttpContent) is dropped here: requests that have any are refused below.
        if (msg instanceof HttpRequest request) {
            if (++inFlight > MAX_PIPELINED) {
                ctx.close();
                return;
            }
            if (inFlight == PAUSE_READING_AT) {
                ctx.channel().config().setAutoRead(false);
            }
            respond(ctx, request);
        }
    }

    private void respond(ChannelHandlerContext ctx, HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST;
            sendError(ctx, request, status, "malformed request", true);
            return;
        }
        boolean hasContent = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            HttpResponse response = errorResponse(request, HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET and HEAD");
            // 405 must list the methods the resource supports (RFC 9110 §15.5.6).
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, request, response, hasContent);
            return;
        }
        if (hasContent) {
            sendError(ctx, request, HttpResponseStatus.BAD_REQUEST, "GET and HEAD requests take no content", true);
            return;
        }
        // An HTTP/1.1 request without exactly one Host field is refused (RFC 9112 §3.2).
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_1) && request.headers().getAll(HttpHeaderNames.HOST).size() != 1) {
            sendError(ctx, request, HttpResponseStatus.BAD_REQUEST, "an HTTP/1.1 request needs one Host header", true);
            return;
        }
        ServedFile file;
        try {
            file = files.open(RequestPath.parse(request.uri()));
        } catch (RequestPath.BadPathException e) {
            sendError(ctx, request, HttpResponseStatus.BAD_REQUEST, e.getMessage(), false);
            return;
        } catch (IOException e) {
            log.debug("cannot open {}", request.uri(), e);
            sendError(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot read the file", false);
            return;
        }
        if (file == null) {
            sendError(ctx, request, HttpResponseStatus.NOT_FOUND, "no such file", false);
            return;
        }
        if (file.mayHaveGzipCopy() && AcceptEncoding.takesGzip(request.headers().getAll(HttpHeaderNames.ACCEPT_ENCODING))) {
            try {
                ServedFile gzip = files.openGzipCopy(file);
                if (gzip != null) {
                    closeQuietly(file);
                    file = gzip;
                }
            } catch (IOException e) {
                log.debug("cannot open the gzip copy of {}; sending it as it is", request.uri(), e);
            }
        }
        sendFile(ctx, request, file);
    }

    private void sendFile(ChannelHandlerContext ctx, HttpRequest request, ServedFile file) {
        boolean head = request.method().equals(HttpMethod.HEAD);
        HttpHeaders in = request.headers();
        if (Preconditions.notModified(in, file)) {
            closeQuietly(file);
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
            setRepresentationHeaders(response.headers(), file);
            HttpUtil.setContentLength(response, file.size());
            send(ctx, request, response, false);
            return;
        }
        // Range is defined for GET only; other methods ignore it (RFC 9110 §14.2).
        RangeSelection range = head || !Preconditions.rangeApplies(in, file)
                ? RangeSelection.WHOLE
                : RangeSelection.parse(in.get(HttpHeaderNames.RANGE), file.size());
        HttpResponse response;
        long first = 0;
        long length = file.size();
        switch (range) {
            case RangeSelection.Unsatisfiable u -> {
                closeQuietly(file);
                response = errorResponse(request, HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "range not satisfiable");
                // A 416 names the current length so the client can ask again (RFC 9110 §15.5.17).
                response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + file.size());
                send(ctx, request, response, false);
                return;
            }
            case RangeSelection.Slice slice -> {
                response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PARTIAL_CONTENT);
                response.headers().set(HttpHeaderNames.CONTENT_RANGE, slice.contentRange(file.size()));
                first = slice.first();
                length = slice.length();
            }
            case RangeSelection.Whole w -> response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        }
        setRepresentationHeaders(response.headers(), file);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, file.contentType());
        HttpUtil.setContentLength(response, length);
        setConnection(request, response, false);
        logAccess(ctx, request, response);
        ctx.write(response);
        ChannelFuture done;
        if (head || length == 0) {
            closeQuietly(file);
            done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else if (zeroCopy) {
            // The region owns the file channel from here and closes it when released.
            ctx.write(new DefaultFileRegion(file.channel(), first, length));
            done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            ChunkedNioFile chunks;
            try {
                chunks = new ChunkedNioFile(file.channel(), first, length, CHUNK_BYTES);
            } catch (IOException e) {
                closeQuietly(file);
                ctx.close();
                return;
            }
            // HttpChunkedInput ends with the LastHttpContent; the framing stays Content-Length.
            done = ctx.writeAndFlush(new HttpChunkedInput(chunks));
        }
        done.addListener(this::responseDone);
    }

    /**
     * Validators, caching and content coding (RFC 9110 §8.4, §8.8, §12.5.5; RFC 9111 §5.2), sent
     * alike on 200, 206 and 304. Metadata and targets vary by Accept-Encoding, having a gzip copy.
     */
    private static void setRepresentationHeaders(HttpHeaders headers, ServedFile file) {
        headers.set(HttpHeaderNames.DATE, DateFormatter.format(new Date()));
        headers.set(HttpHeaderNames.ETAG, file.etag());
        headers.set(HttpHeaderNames.LAST_MODIFIED, file.lastModifiedHttpDate());
        headers.set(HttpHeaderNames.CACHE_CONTROL, file.cacheControl());
        headers.set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        if (file.gzip()) {
            headers.set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
        }
        if (file.gzip() || file.mayHaveGzipCopy()) {
            headers.set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
        }
    }

    private void sendError(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String message,
            boolean close) {
        send(ctx, request, errorResponse(request, status, message), close);
    }

    /** A small plain-text error; no caching, since the file may appear later (RFC 9111 §4.2.2). */
    private static HttpResponse errorResponse(HttpRequest request, HttpResponseStatus status, String message) {
        byte[] body = (status.code() + " " + status.reasonPhrase() + ": " + message + "\n").getBytes(StandardCharsets.UTF_8);
        boolean head = request.method().equals(HttpMethod.HEAD);
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.DATE, DateFormatter.format(new Date()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        HttpUtil.setContentLength(response, body.length);
        return response;
    }

    /** Sends a response with no file body (a full response, or headers then an empty last content). */
    private void send(ChannelHandlerContext ctx, HttpRequest request, HttpResponse response, boolean close) {
        setConnection(request, response, close);
        logAccess(ctx, request, response);
        ChannelFuture done;
        if (response instanceof DefaultFullHttpResponse) {
            done = ctx.writeAndFlush(response);
        } else {
            ctx.write(response);
            done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        done.addListener(this::responseDone);
        // HttpServerKeepAliveHandler closes after the last content when the response says "close".
        if (close) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void logAccess(ChannelHandlerContext ctx, HttpRequest request, HttpResponse response) {
        if (access.isDebugEnabled()) {
            boolean bodiless = request.method().equals(HttpMethod.HEAD)
                    || response.status().equals(HttpResponseStatus.NOT_MODIFIED);
            access.debug("{} {} {} {} {}", ctx.channel().remoteAddress(), request.method(), request.uri(),
                    response.status().code(), bodiless ? 0 : HttpUtil.getContentLength(response, 0L));
        }
    }

    private static void setConnection(HttpRequest request, HttpResponse response, boolean close) {
        boolean keepAlive = !close && HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive && request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            // An HTTP/1.0 client keeps the connection only if told so (RFC 9112 §9.3, Appendix C.2.2).
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    private void responseDone(io.netty.util.concurrent.Future<? super Void> future) {
        ChannelFuture done = (ChannelFuture) future;
        if (--inFlight < PAUSE_READING_AT && !done.channel().config().isAutoRead()) {
            done.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("origin connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    private static void closeQuietly(ServedFile file) {
        try {
            file.channel().close();
        } catch (IOException e) {
            log.debug("cannot close {}", file.path().joined(), e);
        }
    }
}
