package dev.caravan.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Encodes messages to bytes and decodes bytes to messages through {@link EmbeddedChannel}s. */
final class Frames {
    private Frames() {
    }

    /** The frames of these messages, as one array; each {@link Data} is released by the encoder. */
    static byte[] encode(Message... messages) {
        EmbeddedChannel ch = new EmbeddedChannel(MessageEncoder.INSTANCE);
        for (Message m : messages) {
            ch.writeOutbound(m);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            out.writeBytes(bytes);
            b.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
        return out.toByteArray();
    }

    /**
     * Feeds {@code bytes} to a fresh decoder {@code fragment} bytes at a time and returns what it
     * produced; the caller releases any {@link Data}.
     */
    static List<Message> decode(byte[] bytes, int fragment) {
        EmbeddedChannel ch = new EmbeddedChannel(new MessageDecoder());
        List<Message> out = new ArrayList<>();
        for (int off = 0; off < bytes.length; off += fragment) {
            ch.writeInbound(Unpooled.copiedBuffer(bytes, off, Math.min(fragment, bytes.length - off)));
            for (Message m; (m = ch.readInbound()) != null; ) {
                out.add(m);
            }
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
        return out;
    }

    /** A frame with this header and payload, built by hand. */
    static byte[] frame(long declaredLength, int type, int... payload) {
        ByteBuf b = Unpooled.buffer();
        b.writeInt((int) declaredLength).writeByte(type);
        for (int p : payload) {
            b.writeByte(p);
        }
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        return bytes;
    }
}
