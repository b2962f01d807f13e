package dev.caravan.origin.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the bytes an origin writes to its sockets: the first handler of every connection's
 * pipeline, next to the socket, so it sees what goes on the wire (headers, bodies, and with TLS
 * the encrypted records) and a file region as its length.
 *
 * <p>A write counts once it has succeeded; bytes queued on a connection that then breaks do
 * not. Shared by all connections of one server, it also counts the connections accepted.
 */
@ChannelHandler.Sharable
final class OriginTraffic extends ChannelOutboundHandlerAdapter {

    private final LongAdder sent = new LongAdder();
    private final LongAdder connections = new LongAdder();

    long total() {
        return sent.sum();
    }

    long connections() {
        return connections.sum();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        connections.increment();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long bytes = switch (msg) {
            case ByteBuf buf -> buf.readableBytes();
            case ByteBufHolder holder -> holder.content().readableBytes();
            case FileRegion region -> region.count() - region.transferred();
            default -> 0;
        };
        if (bytes == 0) {
            ctx.write(msg, promise);
            return;
        }
        ChannelPromise counted = promise.unvoid();
        counted.addListener(f -> {
            if (f.isSuccess()) {
                sent.add(bytes);
            }
        });
        ctx.write(msg, counted);
    }
}
