package dev.caravan.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.testkit.LeakCheck;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

@ExtendWith(LeakCheck.class)
class MessageDecoderTest {

    @Test
    void aFrameDeclaringFourGibibytesFailsOnItsLengthAlone() {
        EmbeddedChannel ch = new EmbeddedChannel(new MessageDecoder());
        // Only the 4 length bytes: the decoder must not wait for (or allocate) the payload.
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {-1, -1, -1, -1})))
                .isInstanceOf(TooLongFrameException.class)
                .hasMessage("frame of 4294967295 bytes exceeds the limit of 1048576 bytes");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aFrameOneByteOverTheLimitFails() {
        EmbeddedChannel ch = new EmbeddedChannel(new MessageDecoder(MessageDecoder.LONGEST_V1_FRAME_BYTES));
        byte[] header = Frames.frame(MessageDecoder.LONGEST_V1_FRAME_BYTES + 1L, MessageType.DATA.code());
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(header)))
                .isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("262154 bytes exceeds the limit of 262153");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aPayloadLongerThanItsTypeAllowsFailsOnTheHeaderAlone() {
        EmbeddedChannel ch = new EmbeddedChannel(new MessageDecoder());
        byte[] header = Frames.frame(1 + 8 + Data.MAX_BLOCK_BYTES + 1, MessageType.DATA.code());
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(header)))
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessage("DATA frame with a payload of 262153 bytes; its layout takes 9 to 262152 bytes");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aTruncatedFrameWaitsThenDecodesWhenComplete() {
        byte[] bytes = Frames.encode(new Request(1, 2, 3));
        EmbeddedChannel ch = new EmbeddedChannel(new MessageDecoder());
        assertThat(ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, bytes.length - 1))).isFalse();
        assertThat(ch.inboundMessages()).isEmpty();
        assertThat(ch.writeInbound(Unpooled.wrappedBuffer(bytes, bytes.length - 1, 1))).isTrue();
        assertThat(ch.inboundMessages()).containsExactly(new Request(1, 2, 3));
        ch.inboundMessages().clear();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aFrameCutShortByTheConnectionClosingProducesNothing() {
        byte[] bytes = Frames.encode(new Have(5));
        EmbeddedChannel ch = new EmbeddedChannel(new MessageDecoder());
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(bytes, bytes.length - 2)));
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void lyingLengthsFail() {
        // A fixed-size message one byte short and one byte long.
        assertCorrupt(Frames.frame(1 + 3, MessageType.HAVE.code(), 0, 0, 1), "HAVE frame with a payload of 3 bytes; its layout takes 4 bytes");
        assertCorrupt(Frames.frame(1 + 5, MessageType.HAVE.code(), 0, 0, 0, 1, 0), "HAVE frame with a payload of 5 bytes; its layout takes 4 bytes");
        // A BITFIELD whose count needs 2 bytes of bits but whose frame carries 3, then 1.
        assertCorrupt(Frames.frame(1 + 4 + 3, MessageType.BITFIELD.code(), 0, 0, 0, 10, 0, 0, 0),
                "bad BITFIELD of 10 chunks: the layout needs 2 more payload bytes, the frame has 3");
        assertCorrupt(Frames.frame(1 + 4 + 1, MessageType.BITFIELD.code(), 0, 0, 0, 10, 0),
                "bad BITFIELD of 10 chunks: the layout needs 2 more payload bytes, the frame has 1");
        // A HELLO whose group length runs past the frame.
        byte[] hello = Frames.encode(new Hello(1, new PeerId(new byte[16]), "g", 0));
        byte[] lying = hello.clone();
        lying[4 + 1 + 2 + 1 + 16] = 3;
        assertCorrupt(lying, "bad HELLO with a group of 3 bytes: the layout needs 5 more payload bytes, the frame has 3");
        // A CHOKE with a payload.
        assertCorrupt(Frames.frame(2, MessageType.CHOKE.code(), 0), "CHOKE frame with a payload of 1 bytes; its layout takes 0 bytes");
        assertCorrupt(Frames.frame(0, 0), "frame of 0 bytes: a frame has at least its type byte");
    }

    @Test
    void badFieldsFailNamingTheValue() {
        assertCorrupt(Frames.frame(1 + 4, MessageType.HAVE.code(), -1, -1, -1, -1),
                "bad HAVE: chunk index must be from 0 to 999999, got 4294967295");
        assertCorrupt(Frames.frame(1 + 12, MessageType.REQUEST.code(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1),
                "bad REQUEST: block length must be from 1 to 262144 bytes, got 262145");
        assertCorrupt(Frames.frame(1 + 4 + 2, MessageType.BITFIELD.code(), 0, 0, 0, 10, 0, 0x20),
                "bad BITFIELD: spare bit 10 is set in a bitfield of 10 chunks");
        assertCorrupt(Frames.frame(1 + 4, MessageType.BITFIELD.code(), 0, 0x0F, 0x42, 0x41),
                "bad BITFIELD: a bitfield counts at most 1000000 chunks, got 1000001");
        assertCorrupt(Frames.frame(1 + 3, MessageType.GOODBYE.code(), 1, 1, 0xC3),
                "bad GOODBYE: its message is not UTF-8");
        byte[] hello = Frames.encode(new Hello(1, new PeerId(new byte[16]), "g", 0));
        hello[4 + 1 + 2 + 1 + 16 + 1] = (byte) 0xE9;
        assertCorrupt(hello, "bad HELLO: a group is 1 to 64 characters");
        byte[] shortId = Frames.frame(1 + 2 + 1 + 20 + 1 + 1 + 2, MessageType.HELLO.code(), new int[27]);
        shortId[4 + 1 + 2] = 20;
        assertCorrupt(shortId, "bad HELLO: a peer id has 16 or 32 bytes, got 20");
    }

    @Test
    void anUnknownTypeClosesTheConnectionSayingWhyAndLogsItOnce() {
        Logger logger = (Logger) LoggerFactory.getLogger(ProtocolErrorHandler.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            EmbeddedChannel ch = new EmbeddedChannel(new MessageDecoder(), MessageEncoder.INSTANCE, ProtocolErrorHandler.INSTANCE);
            ch.writeInbound(Unpooled.wrappedBuffer(Frames.frame(1, 0x7F)));

            assertThat(ch.isOpen()).isFalse();
            assertThat(ProtocolErrorHandler.closeReason(ch)).get()
                    .isInstanceOfSatisfying(UnknownMessageTypeException.class, e -> assertThat(e.typeCode()).isEqualTo(0x7F));
            assertThat(logs.list).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).contains("protocol error, closing: unknown message type 0x7f");
            });
            ByteBuf goodbye = ch.readOutbound();
            byte[] bytes = new byte[goodbye.readableBytes()];
            goodbye.readBytes(bytes);
            goodbye.release();
            assertThat(Frames.decode(bytes, bytes.length))
                    .containsExactly(new Goodbye(Goodbye.Reason.PROTOCOL_ERROR, "unknown message type 0x7f"));
            assertThat(ch.finishAndReleaseAll()).isFalse();
        } finally {
            logger.detachAppender(logs);
        }
    }

    @Test
    void aMalformedFrameAfterGoodOnesStillDeliversTheGoodOnes() {
        byte[] good = Frames.encode(new Ping(1), new Have(2));
        byte[] bad = Frames.frame(1, 0x00);
        byte[] both = Arrays.copyOf(good, good.length + bad.length);
        System.arraycopy(bad, 0, both, good.length, bad.length);
        EmbeddedChannel ch = new EmbeddedChannel(new MessageDecoder(), ProtocolErrorHandler.INSTANCE);
        ch.writeInbound(Unpooled.wrappedBuffer(both));
        assertThat(List.of(ch.readInbound(), ch.readInbound())).containsExactly(new Ping(1), new Have(2));
        assertThat(ch.isOpen()).isFalse();
        assertThat(ProtocolErrorHandler.closeReason(ch)).get().isInstanceOf(UnknownMessageTypeException.class);
        Object goodbye = ch.readOutbound();
        assertThat(goodbye).isInstanceOf(Goodbye.class);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aDecodedDataIsASliceTheReceiverReleases() {
        byte[] bytes = Frames.encode(new Data(0, 0, Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
        EmbeddedChannel ch = new EmbeddedChannel(new MessageDecoder());
        ch.writeInbound(ch.alloc().buffer().writeBytes(bytes));
        Data data = ch.readInbound();
        assertThat(data.refCnt()).isEqualTo(1);
        assertThat(data.release()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void theFrameLimitCannotBeSetBelowALegalFrame() {
        assertThatThrownBy(() -> new MessageDecoder(1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxFrameBytes must be from 262153 to 1048576, got 1000");
    }

    private static void assertCorrupt(byte[] frame, String message) {
        EmbeddedChannel ch = new EmbeddedChannel(new MessageDecoder());
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(frame)))
                .isInstanceOf(DecoderException.class)
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessageStartingWith(message);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
