package dev.caravan.agent.swarm;

import dev.caravan.core.Digest;
import dev.caravan.core.chunk.ChunkStore;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Verified chunk bytes kept in memory for serving peers, least recently used first out, bounded
 * in bytes. A chunk is either put here right after it was verified on arrival, or read from the
 * chunk store, which verifies its hash on every read, so that a chunk damaged on disk is never
 * served. Peers ask for the blocks of a chunk one after another and several peers ask for the
 * newest chunks at about the same time, so one read usually serves many requests.
 */
final class ServedChunks {
    private final ChunkStore store;
    private final Executor blocking;
    private final long maxBytes;
    private final LinkedHashMap<Digest, byte[]> chunks = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<Digest, CompletableFuture<byte[]>> loading = new LinkedHashMap<>();
    private long bytes;

    ServedChunks(ChunkStore store, Executor blocking, long maxBytes) {
        this.store = store;
        this.blocking = blocking;
        this.maxBytes = maxBytes;
    }

    /** The chunk's bytes if they are in memory, else null. */
    synchronized byte[] getIfPresent(Digest digest) {
        return chunks.get(digest);
    }

    /** Keeps a chunk that was just verified. */
    synchronized void put(Digest digest, byte[] data) {
        if (data.length > maxBytes) {
            return;
        }
        byte[] old = chunks.put(digest, data);
        if (old != null) {
            bytes -= old.length;
        }
        bytes += data.length;
        Iterator<byte[]> eldest = chunks.values().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            bytes -= eldest.next().length;
            eldest.remove();
        }
    }

    /** The chunk's bytes, read and verified from the store unless they are in memory. */
    synchronized CompletableFuture<byte[]> load(Digest digest) {
        byte[] present = chunks.get(digest);
        if (present != null) {
            return CompletableFuture.completedFuture(present);
        }
        CompletableFuture<byte[]> pending = loading.get(digest);
        if (pending != null) {
            return pending;
        }
        CompletableFuture<byte[]> f = CompletableFuture.supplyAsync(() -> {
            try {
                return store.read(digest);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, blocking);
        loading.put(digest, f);
        f.whenComplete((data, error) -> {
            synchronized (this) {
                loading.remove(digest);
                if (data != null) {
                    put(digest, data);
                }
            }
        });
        return f;
    }
}
