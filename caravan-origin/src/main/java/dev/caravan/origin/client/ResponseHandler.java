package dev.caravan.origin.client;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Carries one {@link Exchange} at a time over a pooled connection: the last handler of an origin
 * client connection, after the byte counter, the SslHandler (https) and the HttpClientCodec.
 *
 * <p>It writes the request, feeds the response to the exchange as it streams (no aggregation:
 * the body is copied once, into the exchange's array, under its cap) and gives the connection
 * back to the pool when the response has ended, or closes it when the response cannot be
 * delimited, was cut short, ran over its cap or came too slowly: nothing for
 * {@link OriginClientConfig#readTimeout()}, or on average less than
 * {@link OriginClientConfig#minBytesPerSecond()} once {@link OriginClientConfig#minRateGrace()}
 * has passed since the request was sent (TUF's slow-retrieval attack: a server that sends a
 * byte just before each read timeout would otherwise hold a request for as long as its size cap
 * allows).
 *
 * <p>Implementation notes: both limits are kept here rather than with an IdleStateHandler,
 * because they must count from when a request is sent, not from the last byte read: a
 * connection may have sat idle in the pool for longer than the timeout before it is used. One
 * timer per exchange, on the connection's event loop, serves both: it is set for the earliest
 * moment either limit could be passed and, when it fires early (bytes came meanwhile), set
 * again. For the rate that moment is exact: with {@code n} body bytes received the average
 * falls below the minimum at {@code n / minBytesPerSecond} seconds, or at the end of the grace
 * if that is later. So a fast response costs a handful of timer firings, not a check per read,
 * and a slow one fails within the event loop's timer tick of dropping below the minimum. Only
 * body bytes count (of a 1xx or error response too): status lines and headers dripped byte by
 * byte count for nothing, and neither does TLS overhead.
 */
final class ResponseHandler extends ChannelInboundHandlerAdapter {

    private final HostPool pool;
    private final long readTimeoutNanos;
    /** 0: no minimum rate. */
    private final long minBytesPerSecond;
    private final long minRateGraceNanos;
    private ChannelHandlerContext ctx;
    private Exchange current;
    private Exchange.Next mode;
    private boolean reused;
    private int served;
    private long lastReadNanos;
    private long sentNanos;
    /** Body bytes received for the current exchange, for the minimum rate. */
    private long bodyBytes;
    private ScheduledFuture<?> timeout;

    ResponseHandler(HostPool pool, OriginClientConfig config) {
        this.pool = pool;
        this.readTimeoutNanos = config.readTimeout().toNanos();
        this.minBytesPerSecond = config.minBytesPerSecond();
        this.minRateGraceNanos = config.minRateGrace().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Sends {@code exchange}'s request on this connection; from any thread. */
    void start(Exchange exchange) {
        ctx.executor().execute(() -> begin(exchange));
    }

    private void begin(Exchange exchange) {
        if (!ctx.channel().isActive()) {
            // Closed between the pool's check and now: as good as a stale keep-alive connection.
            pool.release(ctx.channel(), false);
            retryOrFail(exchange, served > 0, new IOException("connection to " + exchange.url.origin() + " closed"));
            return;
        }
        current = exchange;
        reused = served++ > 0;
        mode = null;
        lastReadNanos = System.nanoTime();
        sentNanos = lastReadNanos;
        bodyBytes = 0;
        timeout = ctx.executor().schedule(this::checkTimeout, firstCheckNanos(), TimeUnit.NANOSECONDS);
        ctx.writeAndFlush(exchange.beginAttempt()).addListener(f -> {
            if (!f.isSuccess()) {
                String what = f.cause() instanceof SSLException
                        ? "TLS handshake with " + exchange.url.origin() + " failed for "
                        : "cannot send the request for ";
                broken(new IOException(what + exchange.url + ": " + f.cause().getMessage(), f.cause()));
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            Exchange exchange = current;
            if (exchange == null) {
                ctx.close(); // bytes nobody asked for: this connection is out of step
                return;
            }
            lastReadNanos = System.nanoTime();
            if (exchange.result.isDone()) {
                stop(false); // cancelled by the caller: stop downloading
                return;
            }
            HttpObject object = (HttpObject) msg;
            if (object.decoderResult().isFailure()) {
                Throwable cause = object.decoderResult().cause();
                broken(new IOException("bad HTTP response for " + exchange.url + ": " + cause.getMessage(), cause));
                return;
            }
            if (msg instanceof HttpResponse response) {
                mode = exchange.onHeaders(response);
                if (mode == Exchange.Next.ABORT) {
                    stop(true);
                    return;
                }
            }
            if (msg instanceof HttpContent content && mode != null) {
                bodyBytes += content.content().readableBytes();
                if (!exchange.onContent(content.content(), mode)) {
                    stop(true);
                } else if (msg instanceof LastHttpContent && !exchange.endOfInformational()) {
                    end();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The response ended where its framing said: hand the connection back and complete. */
    private void end() {
        Exchange exchange = current;
        current = null;
        timeout.cancel(false);
        boolean reusable = exchange.keepAlive();
        if (!reusable) {
            ctx.close();
        }
        pool.release(ctx.channel(), reusable);
        exchange.finish();
    }

    /** Stops the exchange mid-response; the connection cannot be reused. */
    private void stop(boolean complete) {
        Exchange exchange = current;
        current = null;
        timeout.cancel(false);
        ctx.close();
        pool.release(ctx.channel(), false);
        if (complete) {
            exchange.fail(exchange.failure());
        }
    }

    /** The connection failed under an exchange. */
    private void broken(IOException cause) {
        Exchange exchange = current;
        if (exchange == null) {
            ctx.close();
            return;
        }
        current = null;
        timeout.cancel(false);
        ctx.close();
        pool.release(ctx.channel(), false);
        retryOrFail(exchange, reused, cause);
    }

    private void retryOrFail(Exchange exchange, boolean wasReused, IOException cause) {
        if (wasReused && exchange.mayRetry()) {
            pool.retry(exchange);
        } else {
            exchange.fail(cause);
        }
    }

    private long firstCheckNanos() {
        return minBytesPerSecond > 0 ? Math.min(readTimeoutNanos, minRateGraceNanos) : readTimeoutNanos;
    }

    /** Fails the exchange if it has gone quiet for the read timeout or fallen below the minimum rate; else looks again later. */
    private void checkTimeout() {
        Exchange exchange = current;
        if (exchange == null) {
            return;
        }
        long now = System.nanoTime();
        long quiet = now - lastReadNanos;
        if (quiet >= readTimeoutNanos) {
            fail(exchange, new IOException("no response from " + exchange.url.origin() + " for "
                    + TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos) + " ms: " + exchange.url));
            return;
        }
        long next = readTimeoutNanos - quiet;
        if (minBytesPerSecond > 0) {
            long elapsed = now - sentNanos;
            long allowed = Math.max(minRateGraceNanos, nanosAtMinRate(bodyBytes));
            if (elapsed >= allowed) {
                double seconds = elapsed / 1e9;
                fail(exchange, new IOException(String.format(Locale.ROOT,
                        "%s: origin sent %d bytes in %.1f s (%d bytes/s), below the minimum of %d bytes/s (slow retrieval)",
                        exchange.url, bodyBytes, seconds, (long) (bodyBytes / seconds), minBytesPerSecond)));
                return;
            }
            next = Math.min(next, allowed - elapsed);
        }
        timeout = ctx.executor().schedule(this::checkTimeout, next, TimeUnit.NANOSECONDS);
    }

    /** How long {@code bytes} may take at the minimum rate, in nanoseconds (saturating at Long.MAX_VALUE). */
    private long nanosAtMinRate(long bytes) {
        return (long) (bytes * 1e9 / minBytesPerSecond);
    }

    private void fail(Exchange exchange, IOException cause) {
        current = null;
        ctx.close();
        pool.release(ctx.channel(), false);
        exchange.fail(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange exchange = current;
        if (exchange != null) {
            broken(new IOException("connection to " + exchange.url.origin() + " closed before the response to "
                    + exchange.url + " ended"));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Exchange exchange = current;
        if (exchange == null) {
            ctx.close();
            return;
        }
        broken(new IOException("fetching " + exchange.url + " failed: " + cause.getMessage(), cause));
    }
}
