package dev.caravan.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.core.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FastCdcTest {
    static final ChunkingConfig SMALL = new ChunkingConfig(64, 256, 1024);
    static final ChunkingConfig MEDIUM = new ChunkingConfig(2 << 10, 8 << 10, 64 << 10);

    record Chunk(long offset, byte[] data, Digest digest) {}

    static List<Chunk> chunks(FastCdc cdc, InputStream in) throws IOException {
        List<Chunk> out = new ArrayList<>();
        cdc.chunk(in, (offset, data, digest) -> out.add(new Chunk(offset, data, digest)));
        return out;
    }

    static byte[] random(long seed, int size) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    @Property(tries = 200)
    void chunksConcatenateToTheInputAndRespectTheBounds(@ForAll("inputs") byte[] input) throws IOException {
        List<Chunk> chunks = chunks(new FastCdc(SMALL), new ByteArrayInputStream(input));

        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        long offset = 0;
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            assertThat(c.offset()).isEqualTo(offset);
            assertThat(c.digest()).isEqualTo(Digest.sha256(c.data()));
            assertThat(c.data().length).isBetween(i == chunks.size() - 1 ? 1 : SMALL.minBytes(), SMALL.maxBytes());
            joined.writeBytes(c.data());
            offset += c.data().length;
        }
        assertThat(joined.toByteArray()).isEqualTo(input);
    }

    @Property(tries = 100)
    void theSameInputGivesTheSameChunksHoweverTheStreamIsRead(@ForAll("inputs") byte[] input,
            @ForAll @IntRange(min = 1, max = 5000) int readSize) throws IOException {
        FastCdc cdc = new FastCdc(SMALL);
        List<Digest> whole = chunks(cdc, new ByteArrayInputStream(input)).stream().map(Chunk::digest).toList();
        List<Digest> trickled = chunks(cdc, new TrickleStream(input, readSize)).stream().map(Chunk::digest).toList();
        assertThat(trickled).isEqualTo(whole);
    }

    @Property(tries = 100)
    void twoBytesPerStepCutsWhereTheOneByteGearLoopDoes(@ForAll @Size(max = 20_000) byte[] input) {
        FastCdc cdc = new FastCdc(SMALL);
        for (int pos = 0; pos < input.length; ) {
            int length = cdc.nextChunkLength(input, pos, input.length);
            assertThat(length).isEqualTo(referenceCut(SMALL, input, pos, input.length));
            pos += length;
        }
    }

    @Property(tries = 5)
    void anInsertionInTheMiddleChangesOnlyAFewChunks(@ForAll long seed, @ForAll @Size(min = 1, max = 16) byte[] inserted)
            throws IOException {
        byte[] original = random(seed, 8 << 20);
        int at = original.length / 2 + (int) (seed & 0xffff);
        byte[] edited = new byte[original.length + inserted.length];
        System.arraycopy(original, 0, edited, 0, at);
        System.arraycopy(inserted, 0, edited, at, inserted.length);
        System.arraycopy(original, at, edited, at + inserted.length, original.length - at);

        assertFewChunksDiffer(new FastCdc(MEDIUM), original, edited);
    }

    @Test
    void anInsertionChangesOnlyAFewChunksWithTheDefaultSizes() throws IOException {
        byte[] original = random(7, 32 << 20);
        byte[] edited = new byte[original.length + 3];
        int at = 13 << 20;
        System.arraycopy(original, 0, edited, 0, at);
        edited[at] = 1;
        edited[at + 1] = 2;
        edited[at + 2] = 3;
        System.arraycopy(original, at, edited, at + 3, original.length - at);

        assertFewChunksDiffer(new FastCdc(ChunkingConfig.DEFAULT), original, edited);
    }

    private static void assertFewChunksDiffer(FastCdc cdc, byte[] original, byte[] edited) throws IOException {
        List<Digest> before = chunks(cdc, new ByteArrayInputStream(original)).stream().map(Chunk::digest).toList();
        List<Digest> after = chunks(cdc, new ByteArrayInputStream(edited)).stream().map(Chunk::digest).toList();
        Set<Digest> old = new HashSet<>(before);
        long changed = after.stream().filter(d -> !old.contains(d)).count();
        assertThat(before).hasSizeGreaterThan(20);
        assertThat(changed).isBetween(1L, 3L);
        assertThat(after.size() - changed).isGreaterThanOrEqualTo(before.size() - 3);
    }

    @Test
    void chunksAverageNearTheConfiguredSize() throws IOException {
        List<Chunk> chunks = chunks(new FastCdc(MEDIUM), new ByteArrayInputStream(random(3, 8 << 20)));
        double average = (8 << 20) / (double) chunks.size();
        assertThat(average).isBetween(MEDIUM.avgBytes() * 0.75, MEDIUM.avgBytes() * 1.5);
    }

    @Test
    void anEmptyStreamHasNoChunks() throws IOException {
        assertThat(chunks(new FastCdc(SMALL), new ByteArrayInputStream(new byte[0]))).isEmpty();
    }

    /**
     * Pins the release format: the gear table and the cut points of known bytes. If this fails,
     * every chunk name changes; that needs a new format, not a new expected value.
     */
    @Test
    void theGearTableAndCutPointsAreFixed() throws IOException {
        assertThat(FastCdc.GEAR_SEED_HEX).isEqualTo("0x" + Long.toHexString(FastCdc.GEAR_SEED));
        assertThat(FastCdc.gear(0)).isEqualTo(GEAR_0);
        assertThat(FastCdc.gear(255)).isEqualTo(GEAR_255);
        List<Integer> lengths = chunks(new FastCdc(MEDIUM), new ByteArrayInputStream(random(1, 100_000))).stream()
                .map(c -> c.data().length).toList();
        assertThat(lengths).isEqualTo(MEDIUM_CUTS);
    }

    static final long GEAR_0 = 0x38e2c1f98a38abcbL;
    static final long GEAR_255 = 0xe73017ad7c8ec379L;
    static final List<Integer> MEDIUM_CUTS = List.of(10704, 6236, 8059, 12352, 8763, 6316, 8263, 8779, 9571, 2704, 10330, 7923);

    @Test
    void aStreamFailureIsReported() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk on fire");
            }
        };
        assertThatThrownBy(() -> chunks(new FastCdc(SMALL), failing)).isInstanceOf(IOException.class).hasMessage("disk on fire");
    }

    @Provide
    Arbitrary<byte[]> inputs() {
        Arbitrary<byte[]> arbitrary = Arbitraries.bytes().array(byte[].class).ofMaxSize(8000);
        Arbitrary<byte[]> pseudoRandom = Arbitraries.longs().flatMap(seed ->
                Arbitraries.integers().between(0, 50_000).map(size -> random(seed, size)));
        Arbitrary<byte[]> repetitive = Arbitraries.integers().between(0, 20_000).map(byte[]::new);
        return Arbitraries.oneOf(arbitrary, pseudoRandom, repetitive);
    }

    /** The FastCDC 2016 loop, one byte at a time, with the cut after the matching byte. */
    static int referenceCut(ChunkingConfig config, byte[] buf, int start, int end) {
        int n = end - start;
        if (n <= config.minBytes()) {
            return n;
        }
        n = Math.min(n, config.maxBytes());
        int bits = Integer.numberOfTrailingZeros(config.avgBytes());
        long maskS = FastCdc.mask(bits + 2);
        long maskL = FastCdc.mask(bits - 2);
        int normal = Math.min(config.avgBytes(), n);
        long fp = 0;
        for (int i = config.minBytes(); i < n; i++) {
            fp = (fp << 1) + FastCdc.gear(buf[start + i] & 0xff);
            if ((fp & (i < normal ? maskS : maskL)) == 0) {
                return i + 1;
            }
        }
        return n;
    }

    /** A stream that returns at most {@code readSize} bytes per read, as sockets and pipes do. */
    static final class TrickleStream extends FilterInputStream {
        private final int readSize;

        TrickleStream(byte[] data, int readSize) {
            super(new ByteArrayInputStream(data));
            this.readSize = readSize;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, readSize));
        }
    }
}
