package dev.caravan.origin.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * The keep-alive connections of an origin client to one origin (scheme, host, port), at most
 * {@code maxConnections} of them, and the requests waiting for one.
 *
 * <p>Implementation notes: all of the pool's state belongs to one event loop, so it needs no
 * locks; the connections themselves are spread over the client's event loops, so that reading
 * (and decrypting) several responses runs in parallel. Idle connections are reused most
 * recently used first: the least used ones then go idle for long enough that the server closes
 * them, which shrinks the pool when the load drops. A connection the server closes while idle
 * leaves the pool when its close is seen; one that closes just as it is handed out makes the
 * request fail with no response, and {@link ResponseHandler} retries such a request once,
 * preferably on a new connection.
 */
final class HostPool {

    private final String origin;
    private final Bootstrap bootstrap;
    private final EventLoop loop;
    private final int maxConnections;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
    private int open;
    private boolean closed;

    /** @param bootstrap ready to connect to the origin; its handler adds a {@link ResponseHandler} */
    HostPool(String origin, Bootstrap bootstrap, EventLoop loop, int maxConnections) {
        this.origin = origin;
        this.bootstrap = bootstrap;
        this.loop = loop;
        this.maxConnections = maxConnections;
    }

    /** Runs {@code exchange} on an idle connection, a new one, or the first to come free. */
    void submit(Exchange exchange) {
        onLoop(() -> dispatch(exchange, false), exchange);
    }

    /** Runs {@code exchange} again after its connection turned out to be closed, on a new connection if one may be opened. */
    void retry(Exchange exchange) {
        onLoop(() -> dispatch(exchange, true), exchange);
    }

    /** Gives back a connection after a response; {@code reusable} false closes it. */
    void release(Channel channel, boolean reusable) {
        onLoop(() -> {
            if (reusable && !closed && channel.isActive()) {
                idle.addFirst(channel);
                pump();
            } else {
                channel.close();
            }
        }, null);
    }

    /** Closes the idle connections and fails the waiting requests; busy ones end with their event loops. */
    void close() {
        onLoop(() -> {
            closed = true;
            idle.forEach(Channel::close);
            idle.clear();
            Exchange waiter;
            while ((waiter = waiting.poll()) != null) {
                waiter.fail(new IOException("origin client closed before " + waiter.url + " was fetched"));
            }
        }, null);
    }

    private void dispatch(Exchange exchange, boolean fresh) {
        if (exchange.result.isDone()) {
            return; // cancelled while queued
        }
        if (closed) {
            exchange.fail(new IOException("origin client closed before " + exchange.url + " was fetched"));
            return;
        }
        if (fresh && open < maxConnections) {
            connect(exchange);
            return;
        }
        Channel channel = pollIdle();
        if (channel != null) {
            assign(channel, exchange);
        } else if (open < maxConnections) {
            connect(exchange);
        } else {
            waiting.add(exchange);
        }
    }

    private void pump() {
        while (!waiting.isEmpty()) {
            if (waiting.peek().result.isDone()) {
                waiting.poll();
                continue;
            }
            Channel channel = pollIdle();
            if (channel != null) {
                assign(channel, waiting.poll());
            } else if (open < maxConnections) {
                connect(waiting.poll());
            } else {
                return;
            }
        }
    }

    private Channel pollIdle() {
        Channel channel;
        while ((channel = idle.pollFirst()) != null) {
            if (channel.isActive()) {
                return channel;
            }
        }
        return null;
    }

    private void connect(Exchange exchange) {
        open++;
        bootstrap.connect().addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                Channel channel = f.channel();
                channel.closeFuture().addListener(c -> onLoop(() -> closed(channel), null));
                assign(channel, exchange);
            } else {
                onLoop(() -> connectFailed(exchange, f.cause()), exchange);
            }
        });
    }

    private void closed(Channel channel) {
        open--;
        idle.remove(channel);
        pump();
    }

    private void connectFailed(Exchange exchange, Throwable cause) {
        open--;
        exchange.fail(new IOException("cannot connect to " + origin + " for " + exchange.url + ": " + cause.getMessage(), cause));
        if (open == 0) {
            // Nothing is open, so nothing will come free: the waiting requests would only fail one by one.
            Exchange waiter;
            while ((waiter = waiting.poll()) != null) {
                waiter.fail(new IOException("cannot connect to " + origin + " for " + waiter.url + ": " + cause.getMessage(),
                        cause));
            }
        }
    }

    private static void assign(Channel channel, Exchange exchange) {
        channel.pipeline().get(ResponseHandler.class).start(exchange);
    }

    private void onLoop(Runnable task, Exchange orFail) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            if (orFail != null) {
                orFail.fail(new IOException("origin client closed before " + orFail.url + " was fetched"));
            }
        }
    }
}
