package dev.caravan.core.manifest;

import dev.caravan.core.Digest;
import dev.caravan.core.chunk.ChunkingConfig;
import java.util.Objects;

/**
 * A run of a file's bytes that lies in one chunk: bytes {@code [offset, offset + length)} of
 * the chunk {@code chunk}.
 *
 * @param chunk the chunk's SHA-256
 * @param offset where the run starts within the chunk, in bytes
 * @param length the run's length in bytes, at least 1
 */
public record ChunkSlice(Digest chunk, int offset, int length) {
    public ChunkSlice {
        Objects.requireNonNull(chunk, "chunk");
        if (offset < 0 || length < 1 || (long) offset + length > ChunkingConfig.LARGEST_MAX_BYTES) {
            throw new IllegalArgumentException("slice of chunk " + chunk + " at offset " + offset + " with length "
                    + length + " is impossible: offset >= 0, length >= 1, and it must end within "
                    + ChunkingConfig.LARGEST_MAX_BYTES + " bytes");
        }
    }
}
