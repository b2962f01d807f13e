package dev.caravan.scheduler;

import dev.caravan.core.Digest;
import dev.caravan.core.manifest.ChunkInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** Chunk lists and bit sets for tests. */
final class Releases {
    private Releases() {}

    /** {@code count} distinct chunks of {@code size} bytes each. */
    static List<ChunkInfo> chunks(int count, int size) {
        List<ChunkInfo> chunks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chunks.add(chunk(i, size));
        }
        return chunks;
    }

    static ChunkInfo chunk(int name, int size) {
        return new ChunkInfo(Digest.sha256(("chunk " + name).getBytes(StandardCharsets.UTF_8)), size);
    }

    static BitSet bits(int... indexes) {
        BitSet bits = new BitSet();
        for (int i : indexes) {
            bits.set(i);
        }
        return bits;
    }

    static BitSet all(int count) {
        BitSet bits = new BitSet();
        bits.set(0, count);
        return bits;
    }
}
