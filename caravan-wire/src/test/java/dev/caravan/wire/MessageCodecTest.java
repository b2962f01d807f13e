package dev.caravan.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.testkit.LeakCheck;
import dev.caravan.core.Digest;
import dev.caravan.core.chunk.ChunkingConfig;
import dev.caravan.core.manifest.Manifest;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Example;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class MessageCodecTest {

    @BeforeContainer
    static void listenForLeaks() {
        LeakCheck.start();
    }

    @AfterContainer
    static void noLeaks() {
        LeakCheck.assertNoLeaks();
    }

    @Property(tries = 300)
    void everyMessageSurvivesARoundTrip(@ForAll("messages") Message message) {
        Message expected = copy(message);
        byte[] bytes = Frames.encode(message);
        List<Message> decoded = Frames.decode(bytes, bytes.length);
        try {
            assertThat(decoded).containsExactly(expected);
            assertThat(expected.type().code()).isEqualTo(bytes[4] & 0xFF);
        } finally {
            decoded.forEach(ReferenceCountUtil::release);
            ReferenceCountUtil.release(expected);
        }
        if (message instanceof Data d) {
            assertThat(d.refCnt()).as("the encoder released the DATA it was given").isZero();
        }
    }

    @Property(tries = 100)
    void aStreamOfMessagesDecodesTheSameAtAnyFragmentSize(@ForAll("streams") List<Message> messages,
            @ForAll @IntRange(min = 1, max = 700) int fragment) {
        List<Message> expected = messages.stream().map(MessageCodecTest::copy).toList();
        byte[] bytes = Frames.encode(messages.toArray(Message[]::new));
        List<Message> decoded = Frames.decode(bytes, fragment);
        try {
            assertThat(decoded).isEqualTo(expected);
        } finally {
            decoded.forEach(ReferenceCountUtil::release);
            expected.forEach(ReferenceCountUtil::release);
        }
    }

    @Example
    void oneOfEachTypeDecodesAtEveryFragmentSize() {
        List<Message> all = oneOfEach();
        byte[] bytes = Frames.encode(all.stream().map(MessageCodecTest::copy).toArray(Message[]::new));
        for (int fragment = 1; fragment <= bytes.length; fragment++) {
            List<Message> decoded = Frames.decode(bytes, fragment);
            try {
                assertThat(decoded).as("fragment size %d", fragment).isEqualTo(all);
            } finally {
                decoded.forEach(ReferenceCountUtil::release);
            }
        }
        all.forEach(ReferenceCountUtil::release);
    }

    @Example
    void theLongestLegalFramesDecode() {
        byte[] block = new byte[Data.MAX_BLOCK_BYTES];
        new Random(7).nextBytes(block);
        Message data = new Data(Manifest.MAX_CHUNKS - 1, ChunkingConfig.LARGEST_MAX_BYTES - block.length, Unpooled.wrappedBuffer(block));
        Message bitfield = Bitfield.full(Manifest.MAX_CHUNKS);
        Message expectedData = copy(data);
        byte[] bytes = Frames.encode(data, bitfield);
        assertThat(bytes.length).isEqualTo(4 + MessageDecoder.LONGEST_V1_FRAME_BYTES + 4 + 1 + 4 + Manifest.MAX_CHUNKS / 8);
        List<Message> decoded = Frames.decode(bytes, 65536);
        try {
            assertThat(decoded).containsExactly(expectedData, bitfield);
        } finally {
            decoded.forEach(ReferenceCountUtil::release);
            ReferenceCountUtil.release(expectedData);
        }
    }

    @Example
    void bitfieldBitsGoHighBitFirst() {
        BitSet held = new BitSet();
        held.set(0);
        held.set(9);
        byte[] bytes = Frames.encode(new Bitfield(10, held));
        assertThat(bytes).containsExactly(0, 0, 0, 7, 0x03, 0, 0, 0, 10, 0x80, 0x40);
    }

    @Example
    void fetchingIsTypeFourteenWithTheChunkIndex() {
        assertThat(Frames.encode(new Fetching(0x0A0B0C))).containsExactly(0, 0, 0, 5, 0x0E, 0, 0x0A, 0x0B, 0x0C);
    }

    @Example
    void dataIsWrittenAsHeaderThenTheBlockUncopied() {
        byte[] bytes = Frames.encode(new Data(2, 16, Unpooled.wrappedBuffer(new byte[] {9, 8, 7})));
        assertThat(bytes).containsExactly(0, 0, 0, 12, 0x06, 0, 0, 0, 2, 0, 0, 0, 16, 9, 8, 7);
    }

    /** A copy whose DATA block is independent of the original, so that it outlives the encoder's release. */
    private static Message copy(Message m) {
        return m instanceof Data d ? new Data(d.chunk(), d.offset(), Unpooled.copiedBuffer(d.block())) : m;
    }

    static List<Message> oneOfEach() {
        BitSet held = new BitSet();
        held.set(1);
        held.set(18);
        List<Message> all = new ArrayList<>(List.of(
                new Hello(Hello.PROTOCOL_VERSION, new PeerId(new byte[16]), "paris-office", 7001),
                new Interest(Digest.sha256(new byte[] {1, 2, 3})),
                new Bitfield(19, held),
                new Have(18),
                new Request(3, 262144, 65536),
                new Cancel(3, 262144, 65536),
                new Reject(3, 0, 1, Reject.Reason.CHOKED),
                Choke.INSTANCE,
                Unchoke.INSTANCE,
                new Ping(-1L),
                new Pong(42L),
                new Goodbye(Goodbye.Reason.SHUTDOWN, "bye – à bientôt"),
                new Fetching(7)));
        all.add(5, new Data(3, 262144, Unpooled.wrappedBuffer(new byte[100])));
        assertThat(all.stream().map(Message::type).distinct()).hasSize(MessageType.values().length);
        return all;
    }

    @Provide
    Arbitrary<List<Message>> streams() {
        return messages().list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<Message> messages() {
        Arbitrary<Integer> chunk = Arbitraries.integers().between(0, Manifest.MAX_CHUNKS - 1);
        Arbitrary<BlockRange> range = Combinators.combine(chunk,
                        Arbitraries.integers().between(0, ChunkingConfig.LARGEST_MAX_BYTES - Data.MAX_BLOCK_BYTES),
                        Arbitraries.integers().between(1, Data.MAX_BLOCK_BYTES))
                .as(BlockRange::new);
        Arbitrary<String> groups = Combinators.combine(
                        Arbitraries.strings().withCharRange('a', 'z').numeric().ofLength(1),
                        Arbitraries.strings().withCharRange('a', 'z').numeric().withChars("._-").ofMaxLength(Hello.MAX_GROUP_LENGTH - 1))
                .as(String::concat);
        Arbitrary<Message> hellos = Combinators.combine(Arbitraries.integers().between(1, 0xFFFF),
                Arbitraries.of(PeerId.DEFAULT_BYTES, PeerId.LONG_BYTES).flatMap(n ->
                        Arbitraries.bytes().array(byte[].class).ofSize(n)).map(PeerId::new),
                groups, Arbitraries.integers().between(0, 0xFFFF)).as(Hello::new);
        Arbitrary<Message> interests = Arbitraries.bytes().array(byte[].class).ofSize(32).map(b -> new Interest(Digest.ofBytes(b)));
        Arbitrary<Message> bitfields = Combinators.combine(Arbitraries.integers().between(0, 5000), Arbitraries.longs(),
                Arbitraries.doubles().between(0, 1)).as((count, seed, density) -> {
                    Random r = new Random(seed);
                    BitSet held = new BitSet();
                    for (int i = 0; i < count; i++) {
                        if (r.nextDouble() < density) {
                            held.set(i);
                        }
                    }
                    return new Bitfield(count, held);
                });
        Arbitrary<Message> datas = Combinators.combine(chunk, Arbitraries.integers().between(0, 1 << 22),
                Arbitraries.integers().between(1, 4096), Arbitraries.longs()).as((c, offset, length, seed) -> {
                    byte[] block = new byte[length];
                    new Random(seed).nextBytes(block);
                    return new Data(c, offset, Unpooled.wrappedBuffer(block));
                });
        Arbitrary<Message> goodbyes = Combinators.combine(Arbitraries.of(Goodbye.Reason.class),
                Arbitraries.strings().withCharRange(' ', '\uD7FF').ofMaxLength(Goodbye.MAX_MESSAGE_BYTES / 3)).as(Goodbye::new);
        return Arbitraries.oneOf(hellos, interests, bitfields,
                chunk.map(Have::new),
                chunk.map(Fetching::new),
                range.map(Request::new),
                datas,
                range.map(Cancel::new),
                Combinators.combine(range, Arbitraries.of(Reject.Reason.class)).as(Reject::new),
                Arbitraries.of(Choke.INSTANCE, Unchoke.INSTANCE),
                Arbitraries.longs().map(Ping::new),
                Arbitraries.longs().map(Pong::new),
                goodbyes);
    }
}
