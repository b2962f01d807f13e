package dev.caravan.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes {@link Message}s into frames ({@code u32 length | u8 type | payload}). It sits right
 * after the {@code SslHandler} in a peer connection's pipeline, the outbound twin of
 * {@link MessageDecoder}; it holds no state, so one instance serves every channel.
 *
 * <p>A {@link Data} becomes two buffers, its 13-byte header and its block itself (a retained
 * duplicate, never a copy); the encoder releases the {@code Data} it was given.
 */
@Sharable
public final class MessageEncoder extends MessageToMessageEncoder<Message> {
    public static final MessageEncoder INSTANCE = new MessageEncoder();

    private MessageEncoder() {
        super(Message.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Message msg, List<Object> out) {
        MessageType type = msg.type();
        if (msg instanceof Data d) {
            ByteBuf block = d.block();
            ByteBuf header = ctx.alloc().buffer(MessageDecoder.HEADER_BYTES + Data.HEADER_BYTES);
            header.writeInt(1 + Data.HEADER_BYTES + block.readableBytes()).writeByte(type.code())
                    .writeInt(d.chunk()).writeInt(d.offset());
            out.add(header);
            out.add(block.retainedDuplicate());
            return;
        }
        int payloadBytes = payloadBytes(msg);
        ByteBuf buf = ctx.alloc().buffer(MessageDecoder.HEADER_BYTES + payloadBytes);
        buf.writeInt(1 + payloadBytes).writeByte(type.code());
        writePayload(msg, buf);
        out.add(buf);
    }

    private static int payloadBytes(Message msg) {
        return switch (msg) {
            case Hello h -> h.payloadBytes();
            case Interest i -> Interest.PAYLOAD_BYTES;
            case Bitfield b -> 4 + Bitfield.packedBytes(b.count());
            case Have h -> Have.PAYLOAD_BYTES;
            case Request r -> BlockRange.PAYLOAD_BYTES;
            case Data d -> Data.HEADER_BYTES + d.block().readableBytes();
            case Cancel c -> BlockRange.PAYLOAD_BYTES;
            case Reject r -> Reject.PAYLOAD_BYTES;
            case Choke c -> 0;
            case Unchoke u -> 0;
            case Ping p -> Ping.PAYLOAD_BYTES;
            case Pong p -> Ping.PAYLOAD_BYTES;
            case Goodbye g -> 2 + g.message().getBytes(StandardCharsets.UTF_8).length;
            case Fetching f -> Fetching.PAYLOAD_BYTES;
        };
    }

    private static void writePayload(Message msg, ByteBuf buf) {
        switch (msg) {
            case Hello h -> {
                buf.writeShort(h.protocolVersion());
                buf.writeByte(h.peerId().length()).writeBytes(h.peerId().bytes());
                byte[] group = h.groupBytes();
                buf.writeByte(group.length).writeBytes(group);
                buf.writeShort(h.listenPort());
            }
            case Interest i -> buf.writeBytes(i.manifest().bytes());
            case Bitfield b -> buf.writeInt(b.count()).writeBytes(b.pack());
            case Have h -> buf.writeInt(h.chunk());
            case Fetching f -> buf.writeInt(f.chunk());
            case Request r -> buf.writeInt(r.chunk()).writeInt(r.offset()).writeInt(r.length());
            case Cancel c -> buf.writeInt(c.chunk()).writeInt(c.offset()).writeInt(c.length());
            case Reject r -> buf.writeInt(r.chunk()).writeInt(r.offset()).writeInt(r.length()).writeByte(r.reason().code());
            case Choke c -> { }
            case Unchoke u -> { }
            case Ping p -> buf.writeLong(p.nonce());
            case Pong p -> buf.writeLong(p.nonce());
            case Goodbye g -> {
                byte[] text = g.message().getBytes(StandardCharsets.UTF_8);
                buf.writeByte(g.reason().code()).writeByte(text.length).writeBytes(text);
            }
            case Data d -> throw new AssertionError("DATA is written as header and block");
        }
    }
}
