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
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Carries one {@link Exchange} at a time over a pooled connection: the last handler of an origin
 * client connection, after the byte counter, the SslHandler (https) and the HttpClientCodec.
 *
 * <p>It writes the request, feeds the response to the exchange as it streams (no aggregation:
 * the body is copied once, into the exchange's array, under its cap) and gives the connection
 * back to the pool when the response has ended, or closes it when the response cannot be
 * delimited, was cut short, ran over its cap or came too slowly.
 *
 * <p>Implementation notes: the read timeout is kept here rather than with an IdleStateHandler,
 * because it must count from when a request is sent, not from the last byte read: a connection
 * may have sat idle in the pool for longer than the timeout before it is used.
 */
final class ResponseHandler extends ChannelInboundHandlerAdapter {

    private final HostPool pool;
    private final long readTimeoutNanos;
    private ChannelHandlerContext ctx;
    private Exchange current;
    private Exchange.Next mode;
    private boolean reused;
    private int served;
    private long lastReadNanos;
    private ScheduledFuture<?> timeout;

    ResponseHandler(HostPool pool, Duration readTimeout) {
        this.pool = pool;
        this.readTimeoutNanos = readTimeout.toNanos();
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
        timeout = ctx.executor().schedule(this::checkTimeout, readTimeoutNanos, TimeUnit.NANOSECONDS);
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

    private void checkTimeout() {
        Exchange exchange = current;
        if (exchange == null) {
            return;
        }
        long quiet = System.nanoTime() - lastReadNanos;
        if (quiet < readTimeoutNanos) {
            timeout = ctx.executor().schedule(this::checkTimeout, readTimeoutNanos - quiet, TimeUnit.NANOSECONDS);
            return;
        }
        current = null;
        ctx.close();
        pool.release(ctx.channel(), false);
        exchange.fail(new IOException("no response from " + exchange.url.origin() + " for "
                + TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos) + " ms: " + exchange.url));
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
