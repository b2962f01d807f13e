package dev.caravan.agent.swarm;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The chunks of one release this agent holds verified, readable from any thread: the swarm's
 * thread sets bits as chunks are verified, peer connections read them to answer requests and to
 * decide whether a peer lacks something we could give it. Bits are only ever set.
 */
final class HeldChunks {
    private final int count;
    private final AtomicLongArray words;

    HeldChunks(int count, BitSet initial) {
        this.count = count;
        this.words = new AtomicLongArray((count + 63) >>> 6);
        initial.stream().filter(i -> i < count).forEach(this::set);
    }

    int count() {
        return count;
    }

    boolean get(int chunk) {
        return chunk >= 0 && chunk < count && (words.get(chunk >>> 6) & (1L << chunk)) != 0;
    }

    void set(int chunk) {
        words.getAndAccumulate(chunk >>> 6, 1L << chunk, (a, b) -> a | b);
    }

    BitSet snapshot() {
        long[] copy = new long[words.length()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = words.get(i);
        }
        return BitSet.valueOf(copy);
    }

    int cardinality() {
        int n = 0;
        for (int i = 0; i < words.length(); i++) {
            n += Long.bitCount(words.get(i));
        }
        return n;
    }

    /** Whether we hold a chunk that {@code other} lacks. */
    boolean holdsAnyMissingFrom(BitSet other) {
        long[] theirs = other.toLongArray();
        for (int i = 0; i < words.length(); i++) {
            long mine = words.get(i);
            long have = i < theirs.length ? theirs[i] : 0;
            if ((mine & ~have) != 0) {
                return true;
            }
        }
        return false;
    }
}
