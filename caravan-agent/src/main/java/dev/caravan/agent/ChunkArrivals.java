package dev.caravan.agent;

import dev.caravan.core.Digest;
import java.io.IOException;

/**
 * Tells an install when each chunk it needs is in the store, so that files can be written while
 * the rest of the release is still arriving.
 */
public interface ChunkArrivals {
    /** Every chunk is already in the store. */
    ChunkArrivals PRESENT = chunk -> {};

    /** Returns once {@code chunk} is in the store, or throws why it never will be. */
    void await(Digest chunk) throws IOException;

    /**
     * The chunk's verified bytes if they are still in memory, so that the install need not read
     * back the file just written; null to read it from the store.
     */
    default byte[] inMemory(Digest chunk) {
        return null;
    }
}
