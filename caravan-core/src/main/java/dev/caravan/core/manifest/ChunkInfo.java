package dev.caravan.core.manifest;

import dev.caravan.core.Digest;
import dev.caravan.core.chunk.ChunkingConfig;
import java.util.Objects;

/**
 * One chunk of a release stream: its name and its size in bytes.
 *
 * @param digest the chunk's SHA-256
 * @param size its length in bytes, from 1 to {@link ChunkingConfig#LARGEST_MAX_BYTES}
 */
public record ChunkInfo(Digest digest, int size) {
    public ChunkInfo {
        Objects.requireNonNull(digest, "digest");
        if (size < 1 || size > ChunkingConfig.LARGEST_MAX_BYTES) {
            throw new IllegalArgumentException("chunk " + digest + " has size " + size
                    + "; a chunk has 1 to " + ChunkingConfig.LARGEST_MAX_BYTES + " bytes");
        }
    }
}
