package dev.caravan.scheduler;

/**
 * A block: the unit of one request, a byte range {@code [offset, offset + length)} of one chunk.
 *
 * @param chunk the chunk's index in the release's chunk list
 * @param offset the first byte, counted from the start of the chunk
 * @param length the number of bytes, at least 1
 */
public record Block(int chunk, int offset, int length) {
    public Block {
        if (chunk < 0 || offset < 0 || length < 1) {
            throw new IllegalArgumentException("not a block: chunk " + chunk + ", offset " + offset
                    + ", length " + length);
        }
    }
}
