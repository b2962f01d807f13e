package dev.caravan.wire;

import dev.caravan.core.manifest.Manifest;
import java.util.BitSet;
import java.util.Objects;

/**
 * BITFIELD: which chunks of the interest's manifest the sender holds, verified. Each side sends it
 * once, right after INTEREST (the dialer) or in answer to it (the acceptor); {@link Have} updates
 * it afterwards.
 *
 * <p>Layout: {@code u32 count | ceil(count / 8) bytes}. Bit {@code i} is bit {@code 7 - i % 8} of
 * byte {@code i / 8} (the first chunk is the high bit of the first byte, as in BitTorrent); the
 * spare bits of the last byte are zero. {@code count} is the length of the manifest's distinct
 * chunk list, from 0 to {@value Manifest#MAX_CHUNKS}; it is on the wire so that the codec can check
 * the frame's length without knowing the manifest, and the session checks it against the manifest.
 *
 * @param count how many chunks the manifest has
 * @param held the indexes of the chunks held, all below {@code count}; copied in and out
 */
public record Bitfield(int count, BitSet held) implements Message {
    static final int MIN_PAYLOAD_BYTES = 4;
    static final int MAX_PAYLOAD_BYTES = 4 + packedBytes(Manifest.MAX_CHUNKS);

    public Bitfield {
        if (count < 0 || count > Manifest.MAX_CHUNKS) {
            throw new IllegalArgumentException("a bitfield counts from 0 to " + Manifest.MAX_CHUNKS
                    + " chunks, got " + Integer.toUnsignedString(count));
        }
        Objects.requireNonNull(held, "held");
        if (held.length() > count) {
            throw new IllegalArgumentException("a bitfield of " + count + " chunks holds chunk " + (held.length() - 1));
        }
        held = (BitSet) held.clone();
    }

    /** A bitfield of {@code count} chunks, none held. */
    public static Bitfield empty(int count) {
        return new Bitfield(count, new BitSet());
    }

    /** A bitfield of {@code count} chunks, all held: what a seeder sends. */
    public static Bitfield full(int count) {
        BitSet all = new BitSet(count);
        all.set(0, count);
        return new Bitfield(count, all);
    }

    @Override
    public BitSet held() {
        return (BitSet) held.clone();
    }

    /** Whether the chunk at this index is held. */
    public boolean has(int chunk) {
        return chunk >= 0 && held.get(chunk);
    }

    /** How many chunks are held. */
    public int heldCount() {
        return held.cardinality();
    }

    static int packedBytes(int count) {
        return (count + 7) >>> 3;
    }

    /** The bits in wire order (high bit first). */
    byte[] pack() {
        byte[] out = new byte[packedBytes(count)];
        for (int i = held.nextSetBit(0); i >= 0; i = held.nextSetBit(i + 1)) {
            out[i >>> 3] |= (byte) (0x80 >>> (i & 7));
        }
        return out;
    }
}
