package dev.caravan.wire;

/**
 * HAVE: the sender now holds, verified, the chunk at this index. Sent as soon as a chunk is
 * verified, so that new chunks spread at once.
 *
 * <p>Layout: {@code u32 chunk}.
 *
 * @param chunk the chunk's index in the interest's distinct chunk list
 */
public record Have(int chunk) implements Message {
    static final int PAYLOAD_BYTES = 4;

    public Have {
        BlockRange.requireChunkIndex(chunk);
    }
}
