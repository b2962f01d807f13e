package dev.caravan.wire;

import dev.caravan.core.chunk.ChunkingConfig;
import dev.caravan.core.manifest.Manifest;

/**
 * A block: {@code length} bytes at {@code offset} in the chunk at index {@code chunk} of the
 * interest's distinct chunk list ({@link Manifest#distinctChunks()}). A {@link Request} names one;
 * the {@link Data}, {@link Cancel} or {@link Reject} that answers it names the same one, which is how
 * a downloader matches them.
 *
 * @param chunk the chunk's index, from 0 to {@value Manifest#MAX_CHUNKS} exclusive
 * @param offset where the block starts in the chunk, at least 0
 * @param length the block's length in bytes, from 1 to {@value Data#MAX_BLOCK_BYTES}; the block
 *     ends at most at {@value ChunkingConfig#LARGEST_MAX_BYTES}, the longest chunk any deployment allows
 */
public record BlockRange(int chunk, int offset, int length) {
    /** chunk, offset and length, each a u32. */
    static final int PAYLOAD_BYTES = 12;

    public BlockRange {
        requireChunkIndex(chunk);
        requireBlock(offset, length);
    }

    static void requireChunkIndex(int chunk) {
        if (chunk < 0 || chunk >= Manifest.MAX_CHUNKS) {
            throw new IllegalArgumentException("chunk index must be from 0 to " + (Manifest.MAX_CHUNKS - 1)
                    + ", got " + Integer.toUnsignedString(chunk));
        }
    }

    static void requireBlock(int offset, int length) {
        if (length < 1 || length > Data.MAX_BLOCK_BYTES) {
            throw new IllegalArgumentException("block length must be from 1 to " + Data.MAX_BLOCK_BYTES
                    + " bytes, got " + Integer.toUnsignedString(length));
        }
        if (offset < 0 || offset > ChunkingConfig.LARGEST_MAX_BYTES - length) {
            throw new IllegalArgumentException("block offset " + Integer.toUnsignedString(offset) + " + length " + length
                    + " must be at most " + ChunkingConfig.LARGEST_MAX_BYTES + ", the longest chunk");
        }
    }
}
