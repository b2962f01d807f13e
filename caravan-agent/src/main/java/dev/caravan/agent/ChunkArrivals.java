package dev.caravan.agent;

import dev.caravan.core.Digest;
import java.util.concurrent.CompletableFuture;

/**
 * Tells an install when each chunk it needs is in the store, so that files can be written while
 * the rest of the release is still arriving.
 */
public interface ChunkArrivals {
    /** Every chunk is already in the store. */
    ChunkArrivals PRESENT = chunk -> null;

    /**
     * Completes once {@code chunk} is in the store, or exceptionally with the {@link java.io.IOException}
     * saying why it never will be; null if the chunk was there from the start.
     */
    CompletableFuture<Void> arrival(Digest chunk);

    /**
     * The chunk's verified bytes if they are still in memory, so that the install need not read
     * back the file just written; null to read it from the store.
     */
    default byte[] inMemory(Digest chunk) {
        return null;
    }
}
