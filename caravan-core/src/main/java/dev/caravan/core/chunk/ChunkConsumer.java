package dev.caravan.core.chunk;

import dev.caravan.core.Digest;
import java.io.IOException;

/** A receiver of the chunks that {@link FastCdc} cuts from a stream, called in stream order on the caller's thread. */
@FunctionalInterface
public interface ChunkConsumer {
    /**
     * Takes one chunk.
     *
     * @param offset where the chunk starts in the stream, in bytes
     * @param data the chunk's bytes; the consumer owns the array from now on
     * @param digest the SHA-256 of {@code data}
     */
    void accept(long offset, byte[] data, Digest digest) throws IOException;
}
