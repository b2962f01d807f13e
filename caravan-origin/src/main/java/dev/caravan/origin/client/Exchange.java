package dev.caravan.origin.client;

import dev.caravan.tuf.RemoteFetcher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * One GET and what comes back for it: the request to send, the checks on the response, the
 * body gathered under its size cap, and the future the caller holds.
 *
 * <p>A whole-file GET of metadata or a target says {@code Accept-Encoding: gzip}: an origin that keeps a gzip copy of a
 * metadata or target file (the publisher writes one, {@code docs/repository.md}; nginx serves it
 * with {@code gzip_static on}) sends that instead. The compressed body is gathered under a cap a
 * little above the caller's, then inflated on the completion executor, stopping one byte past the
 * caller's cap: a gzip bomb costs at most {@code maxBytes} of network, and about three times that
 * of memory while it is inflated. A content coding the client did not ask for (any but one gzip
 * where gzip was asked for, any at all otherwise) is refused.
 *
 * <p>An exchange may be attempted twice (see {@link #mayRetry()}); between its attempts it moves
 * from one connection to another through the pool's event loop, and while on a connection only
 * that connection's event loop touches it.
 */
final class Exchange {

    /** What the handler should do after showing the exchange part of a response. */
    enum Next { READ, DISCARD, ABORT }

    /** Error bodies are read (to keep the connection) up to this size, then the connection is dropped. */
    private static final int MAX_DISCARDED_BYTES = 64 * 1024;
    /** The largest byte array the JVM reliably makes. */
    private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;
    /** The compressed body of a file of {@code maxBytes} may be this much longer: deflate's stored blocks and gzip's header. */
    private static final long GZIP_SLACK_BYTES = 4096;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    final OriginUrl url;
    final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final long maxBytes;
    private final long rangeFirst;
    private final long rangeLength;
    private final Executor completions;
    /** Whether to ask for gzip: whole metadata and target files, not chunks (which do not compress) nor ranges. */
    private final boolean acceptGzip;
    private int attempts;

    // The current attempt; only the event loop of the connection carrying it touches these.
    private boolean responseSeen;
    private boolean informational;
    private boolean keepAlive;
    private IOException failure;
    private byte[] body;
    private int length;
    private long expectedLength;
    private long discarded;
    /** The body is gzip-compressed (Content-Encoding: gzip); its cap is then {@link #gzipCap}. */
    private boolean gzip;

    /**
     * @param rangeFirst the first byte asked for, or -1 for the whole file
     * @param acceptGzip whether to ask for a gzip body (whole files only)
     */
    Exchange(OriginUrl url, long maxBytes, long rangeFirst, long rangeLength, boolean acceptGzip, Executor completions) {
        this.acceptGzip = acceptGzip && rangeFirst < 0;
        this.url = url;
        this.maxBytes = maxBytes;
        this.rangeFirst = rangeFirst;
        this.rangeLength = rangeLength;
        this.completions = completions;
    }

    HttpRequest beginAttempt() {
        attempts++;
        responseSeen = false;
        informational = false;
        failure = null;
        body = null;
        length = 0;
        discarded = 0;
        gzip = false;
        HttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, url.requestTarget(),
                Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, url.hostHeader());
        request.headers().set(HttpHeaderNames.USER_AGENT, "caravan-origin-client");
        if (rangeFirst >= 0) {
            request.headers().set(HttpHeaderNames.RANGE, "bytes=" + rangeFirst + "-" + (rangeFirst + rangeLength - 1));
        }
        if (acceptGzip) {
            request.headers().set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.GZIP);
        }
        return request;
    }

    /**
     * Whether a failed attempt may be made again on a new connection: only the first, and only
     * if no byte of a response came. That is the case of a keep-alive connection the server had
     * closed while it was idle in the pool (RFC 9112 §9.3.1 allows retrying an idempotent request).
     */
    boolean mayRetry() {
        return attempts == 1 && !responseSeen;
    }

    /** The status line and headers arrived. */
    Next onHeaders(HttpResponse response) {
        responseSeen = true;
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            informational = true; // 1xx: the final response follows (RFC 9110 §15.2)
            return Next.DISCARD;
        }
        keepAlive = HttpUtil.isKeepAlive(response);
        int status = response.status().code();
        long contentLength = HttpUtil.getContentLength(response, -1L);
        long limit = rangeFirst < 0 ? maxBytes : rangeLength;
        if (rangeFirst < 0 && status == 200 || rangeFirst >= 0 && status == 206) {
            if (rangeFirst >= 0) {
                long rangeBytes = checkContentRange(response.headers().get(HttpHeaderNames.CONTENT_RANGE));
                if (rangeBytes < 0 || contentLength >= 0 && contentLength != rangeBytes) {
                    failure = new IOException("origin sent a byte range other than bytes " + rangeFirst + "-"
                            + (rangeFirst + rangeLength - 1) + " (Content-Range: "
                            + response.headers().get(HttpHeaderNames.CONTENT_RANGE) + ") for " + url);
                    return Next.ABORT;
                }
            }
            String coding = String.join(", ", response.headers().getAll(HttpHeaderNames.CONTENT_ENCODING)).strip();
            if (!coding.isEmpty() && !coding.equalsIgnoreCase("identity")) {
                if (!acceptGzip || !(coding.equalsIgnoreCase("gzip") || coding.equalsIgnoreCase("x-gzip"))) {
                    failure = new IOException("origin sent Content-Encoding: " + coding + ", which the client did not ask for, for " + url);
                    return Next.ABORT;
                }
                gzip = true;
                limit = gzipCap();
            }
            if (contentLength > limit) {
                failure = new RemoteFetcher.TooLargeException(url.text(), gzip ? maxBytes : limit);
                return Next.ABORT;
            }
            if (contentLength > MAX_ARRAY_BYTES) {
                failure = new IOException(url + " has " + contentLength + " bytes, more than one array can hold");
                return Next.ABORT;
            }
            expectedLength = contentLength;
            body = new byte[(int) (contentLength >= 0 ? contentLength : Math.min(limit, 64 * 1024))];
            return Next.READ;
        }
        if (status == 404 || status == 410) {
            failure = new RemoteFetcher.NotFoundException(url.text());
        } else if (rangeFirst >= 0 && status == 200) {
            failure = new IOException("origin ignored the byte range and sent the whole file: " + url);
            return Next.ABORT;
        } else {
            failure = new IOException("origin answered " + response.status() + " for " + url
                    + (status == 416 ? " (range bytes " + rangeFirst + "-" + (rangeFirst + rangeLength - 1) + ")" : ""));
        }
        return Next.DISCARD;
    }

    /** Content-Range of a 206 (RFC 9110 §14.4): must start where asked and not run past it; returns its length or -1. */
    private long checkContentRange(String value) {
        Matcher m = value == null ? null : CONTENT_RANGE.matcher(value.strip());
        if (m == null || !m.matches()) {
            return -1;
        }
        try {
            long first = Long.parseLong(m.group(1));
            long last = Long.parseLong(m.group(2));
            if (first != rangeFirst || last < first || last - first + 1 > rangeLength) {
                return -1;
            }
            return last - first + 1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A piece of the body; false if the exchange must stop here (and the connection be dropped). */
    boolean onContent(ByteBuf content, Next mode) {
        int n = content.readableBytes();
        if (mode == Next.DISCARD) {
            discarded += n;
            return discarded <= MAX_DISCARDED_BYTES;
        }
        long limit = gzip ? gzipCap() : rangeFirst < 0 ? maxBytes : rangeLength;
        if (length + (long) n > limit) {
            failure = new RemoteFetcher.TooLargeException(url.text(), gzip ? maxBytes : limit);
            return false;
        }
        if (length + n > body.length) {
            if (expectedLength >= 0 || length + (long) n > MAX_ARRAY_BYTES) {
                failure = new IOException("origin sent more than it announced for " + url);
                return false;
            }
            body = Arrays.copyOf(body, (int) Math.min(Math.min(limit, MAX_ARRAY_BYTES), Math.max(2L * body.length, length + n)));
        }
        content.readBytes(body, length, n);
        length += n;
        return true;
    }

    /** True after the last content of a 1xx response: the real response is still to come. */
    boolean endOfInformational() {
        boolean was = informational;
        informational = false;
        return was;
    }

    /** Whether the connection can carry another request once this response has ended. */
    boolean keepAlive() {
        return keepAlive;
    }

    /** The response ended (its last content arrived): complete the caller's future. */
    void finish() {
        if (failure != null) {
            fail(failure);
        } else if (expectedLength >= 0 && length != expectedLength) {
            fail(new IOException("origin sent " + length + " of " + expectedLength + " bytes for " + url));
        } else {
            byte[] bytes = length == body.length ? body : Arrays.copyOf(body, length);
            body = null;
            if (gzip) {
                completions.execute(() -> inflate(bytes));
            } else {
                completions.execute(() -> result.complete(bytes));
            }
        }
    }

    /** The largest compressed body accepted for a file of at most {@code maxBytes}. */
    private long gzipCap() {
        return maxBytes >= MAX_ARRAY_BYTES ? MAX_ARRAY_BYTES
                : Math.min(MAX_ARRAY_BYTES, maxBytes + maxBytes / 1024 + GZIP_SLACK_BYTES);
    }

    /** Completes with the inflated body, read no further than one byte past the cap. */
    private void inflate(byte[] compressed) {
        int cap = (int) Math.min(maxBytes, MAX_ARRAY_BYTES - 1);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            byte[] bytes = in.readNBytes(cap + 1);
            if (bytes.length <= cap) {
                result.complete(bytes);
            } else if (cap == maxBytes) {
                result.completeExceptionally(new RemoteFetcher.TooLargeException(url.text(), maxBytes));
            } else {
                result.completeExceptionally(new IOException(url + " inflates to more than one array can hold"));
            }
        } catch (IOException e) {
            result.completeExceptionally(new IOException("origin sent a corrupt gzip body (" + compressed.length
                    + " bytes) for " + url + ": " + e.getMessage(), e));
        } catch (Throwable e) { // an Error too (out of memory): nobody may wait forever for this file
            result.completeExceptionally(e);
        }
    }

    /** The failure the handler found when it stopped this exchange, if any. */
    IOException failure() {
        return failure;
    }

    void fail(Throwable cause) {
        body = null;
        completions.execute(() -> result.completeExceptionally(cause));
    }
}
