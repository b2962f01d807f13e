package dev.caravan.agent;

import dev.caravan.core.Digest;
import dev.caravan.core.IntegrityException;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.origin.client.OriginClient;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fetches missing chunks from the origin into a {@link ChunkStore}: several requests in flight
 * over the origin client's keep-alive connections, each chunk verified against its name before it
 * is stored. A chunk already in the store is never fetched again, so a killed fetch resumes where
 * it stopped.
 *
 * <p>A transport fault is retried a few times with backoff; a chunk whose bytes do not match its
 * name fails the whole fetch at once with an {@link IntegrityException} naming the chunk: the
 * origin is the source of last resort, and a bad chunk there means a bad repository.
 */
final class ChunkFetcher {
    static final int ATTEMPTS = 3;

    private final OriginClient origin;
    private final String chunksBaseUrl;
    private final ChunkStore store;
    private final int inFlight;
    private final GetProgress progress;
    private final AtomicLong bytesFetched = new AtomicLong();

    ChunkFetcher(OriginClient origin, String chunksBaseUrl, ChunkStore store, int inFlight, GetProgress progress) {
        if (inFlight < 1) {
            throw new IllegalArgumentException("requests in flight must be >= 1, got " + inFlight);
        }
        this.origin = origin;
        this.chunksBaseUrl = chunksBaseUrl.endsWith("/") ? chunksBaseUrl : chunksBaseUrl + "/";
        this.store = store;
        this.inFlight = inFlight;
        this.progress = progress;
    }

    /** Bytes received from the origin and stored so far. */
    long bytesFetched() {
        return bytesFetched.get();
    }

    /** Fetches every chunk in {@code sizes} (digest to size in bytes) that the store lacks. */
    void fetchMissing(Map<Digest, Long> sizes) throws IOException {
        Deque<Map.Entry<Digest, Long>> queue = new ArrayDeque<>();
        for (Map.Entry<Digest, Long> e : sizes.entrySet()) {
            if (!store.has(e.getKey())) {
                queue.add(e);
            }
        }
        // Verification (SHA-256) and the fsync of each chunk run on a few threads of their own,
        // so that the network keeps several requests in flight while the disk catches up.
        ExecutorService workers = Executors.newFixedThreadPool(inFlight, r -> {
            Thread t = new Thread(r, "caravan-chunk-fetch");
            t.setDaemon(true);
            return t;
        });
        try {
            Collection<Future<?>> running = new ArrayDeque<>();
            for (int i = 0; i < inFlight; i++) {
                running.add(workers.submit(() -> {
                    while (true) {
                        Map.Entry<Digest, Long> next;
                        synchronized (queue) {
                            next = queue.poll();
                        }
                        if (next == null) {
                            return null;
                        }
                        fetchOne(next.getKey(), next.getValue());
                    }
                }));
            }
            for (Future<?> f : running) {
                await(f, queue);
            }
        } finally {
            workers.shutdownNow();
        }
    }

    private void fetchOne(Digest digest, long size) throws IOException, InterruptedException {
        String url = chunksBaseUrl + digest.hex().substring(0, 2) + "/" + digest.hex();
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                byte[] data = origin.fetch(url, size);
                if (data.length != size) {
                    throw new IntegrityException("chunk " + digest + " from " + url + " has " + data.length
                            + " bytes, the manifest says " + size);
                }
                store.put(digest, data);
                bytesFetched.addAndGet(size);
                progress.chunkFetched(size);
                return;
            } catch (IntegrityException e) {
                throw e;
            } catch (IOException e) {
                last = e;
                if (attempt < ATTEMPTS) {
                    Thread.sleep(200L << attempt); // backoff between retries of a transport fault
                }
            }
        }
        throw new IOException("could not fetch chunk " + digest + " after " + ATTEMPTS + " attempts: " + last.getMessage(), last);
    }

    private static void await(Future<?> f, Deque<?> queue) throws IOException {
        try {
            f.get();
        } catch (ExecutionException e) {
            synchronized (queue) {
                queue.clear(); // stop the other workers after their current chunk
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching chunks");
        }
    }
}
