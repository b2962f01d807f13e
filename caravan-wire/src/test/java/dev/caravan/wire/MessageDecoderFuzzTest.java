package dev.caravan.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link MessageDecoder} through an {@link EmbeddedChannel}. The
 * input's first byte says how many bytes each read delivers (1 to 256), the rest is what a peer
 * sends. Whatever it is, the decoder produces messages and then, at most once, fails with one of
 * its documented faults — {@link TooLongFrameException} or {@link CorruptedFrameException}
 * ({@link UnknownMessageTypeException} included) — with a message; never another exception (which
 * Netty would wrap in a bare {@link DecoderException}) or error. The messages it produced, encoded
 * again, take exactly the bytes they came from and decode to messages that encode to the same bytes
 * (a reason code this version does not know reads as OTHER, so the first encoding may differ), and every buffer it allocated or was given is
 * released once the messages are and the channel is closed.
 *
 * <p>The normal test run replays the seed corpus in {@code MessageDecoderFuzzTestInputs/decode}
 * (real frames of every type, and every input that once failed); {@code -Pfuzz} fuzzes it
 * (docs/benchmarks.md).
 */
class MessageDecoderFuzzTest {
    @FuzzTest(maxDuration = "150s")
    void decode(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int fragment = 1 + (input[0] & 0xff);
        byte[] wire = Arrays.copyOfRange(input, 1, input.length);
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(new MessageDecoder());
        List<Message> decoded = new ArrayList<>();
        List<ByteBuf> given = new ArrayList<>();
        try {
            for (int off = 0; off < wire.length; off += fragment) {
                ByteBuf in = alloc.heapBuffer(fragment);
                in.writeBytes(wire, off, Math.min(fragment, wire.length - off));
                given.add(in);
                try {
                    ch.writeInbound(in);
                } catch (TooLongFrameException | CorruptedFrameException e) {
                    assertThat(e.getMessage()).isNotBlank();
                    drain(ch, decoded);
                    break;
                }
                drain(ch, decoded);
            }
            int frames = decoded.size();
            byte[] again = Frames.encode(decoded.toArray(Message[]::new)); // releases each Data
            decoded.clear();
            assertThat(again).hasSize(completeFrameBytes(wire, frames));
            assertThat(Frames.encode(Frames.decode(again, again.length + 1).toArray(Message[]::new))).isEqualTo(again);
        } finally {
            decoded.forEach(ReferenceCountUtil::release);
            ch.finishAndReleaseAll();
        }
        for (ByteBuf b : given) {
            assertThat(b.refCnt()).as("refCnt of an inbound buffer").isZero();
        }
        for (ByteBuf b : alloc.allocated) {
            assertThat(b.refCnt()).as("refCnt of a buffer the decoder allocated").isZero();
        }
    }

    /** How many bytes the first {@code frames} frames of {@code wire} take, by their length fields. */
    private static int completeFrameBytes(byte[] wire, int frames) {
        int at = 0;
        for (int i = 0; i < frames; i++) {
            at += 4 + (int) Unpooled.wrappedBuffer(wire, at, 4).getUnsignedInt(0);
        }
        return at;
    }

    private static void drain(EmbeddedChannel ch, List<Message> out) {
        for (Object m; (m = ch.readInbound()) != null; ) {
            out.add((Message) m);
        }
    }

    /** Heap buffers that it remembers, so that the test can see whether each was released. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> allocated = new ArrayList<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
