package dev.caravan.origin.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the bytes an origin client reads from its sockets: the first handler of every client
 * connection, next to the socket, so it counts what came over the wire (headers, bodies, and
 * with TLS the encrypted records). Shared by all connections of one client.
 */
@ChannelHandler.Sharable
final class ReceivedBytesCounter extends ChannelInboundHandlerAdapter {

    private final LongAdder received = new LongAdder();

    long total() {
        return received.sum();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            received.add(buf.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }
}
