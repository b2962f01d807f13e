package dev.caravan.agent;

import dev.caravan.core.Digest;
import dev.caravan.core.IntegrityException;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.origin.client.OriginClient;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fetches missing chunks from the origin into a {@link ChunkStore}: several requests in flight
 * over the origin client's keep-alive connections, each chunk verified against its name before it
 * is stored. A chunk already in the store is never fetched again, so a killed fetch resumes where
 * it stopped. It runs in the background and reports each arrival ({@link ChunkArrivals}), so an
 * install can write files while later chunks are still on their way.
 *
 * <p>A transport fault is retried a few times with backoff; a chunk whose bytes do not match its
 * name fails the whole fetch at once with an {@link IntegrityException} naming the chunk: the
 * origin is the source of last resort, and a bad chunk there means a bad repository.
 */
final class ChunkFetcher implements ChunkArrivals, AutoCloseable {
    static final int ATTEMPTS = 3;

    private final OriginClient origin;
    private final String chunksBaseUrl;
    private final ChunkStore store;
    private final int inFlight;
    private final GetProgress progress;
    private final AtomicLong bytesFetched = new AtomicLong();
    private final Deque<Map.Entry<Digest, Long>> queue = new ArrayDeque<>();
    private final Map<Digest, CompletableFuture<Void>> arrivals = new HashMap<>();
    private final List<CompletableFuture<Void>> workers = new ArrayList<>();
    private ExecutorService pool;

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

    /**
     * Starts fetching, in the order given, every chunk in {@code sizes} (digest to size in bytes);
     * the caller has checked that the store lacks them.
     */
    void start(Map<Digest, Long> sizes) {
        for (Map.Entry<Digest, Long> e : sizes.entrySet()) {
            queue.add(Map.entry(e.getKey(), e.getValue()));
            arrivals.put(e.getKey(), new CompletableFuture<>());
        }
        int threads = Math.max(1, Math.min(inFlight, sizes.size()));
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "caravan-chunk-fetch");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < threads; i++) {
            workers.add(CompletableFuture.runAsync(this::work, pool));
        }
    }

    @Override
    public CompletableFuture<Void> arrival(Digest chunk) {
        return arrivals.get(chunk);
    }

    /** Waits until every chunk has arrived, or throws the first failure. */
    void finish() throws IOException {
        for (CompletableFuture<Void> w : workers) {
            join(w);
        }
    }

    /** Stops fetching and returns once no worker is left writing into the cache. */
    @Override
    public void close() {
        synchronized (queue) {
            queue.clear();
        }
        if (pool != null) {
            Parallel.shutdownAndWait(pool);
        }
    }

    private void work() {
        while (true) {
            Map.Entry<Digest, Long> next;
            synchronized (queue) {
                next = queue.poll();
            }
            if (next == null) {
                return;
            }
            try {
                fetchOne(next.getKey(), next.getValue());
                arrivals.get(next.getKey()).complete(null);
            } catch (Throwable e) { // an Error too: nobody may wait forever for a chunk that will not come
                failAll(e);
                throw new CompletionException(e);
            }
        }
    }

    /** One failure dooms the release: every chunk not yet arrived fails with the same cause. */
    private void failAll(Throwable cause) {
        synchronized (queue) {
            queue.clear();
        }
        for (CompletableFuture<Void> f : arrivals.values()) {
            f.completeExceptionally(cause);
        }
    }

    private void fetchOne(Digest digest, long size) throws IOException, InterruptedException {
        String url = chunksBaseUrl + digest.hex().substring(0, 2) + "/" + digest.hex();
        byte[] data = null;
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS && data == null; attempt++) {
            try {
                data = origin.fetchAsStored(url, size); // chunks do not compress: no gzip asked for
            } catch (IOException e) {
                last = e;
                if (attempt < ATTEMPTS) {
                    Thread.sleep(200L << attempt); // backoff between retries of a transport fault
                }
            }
        }
        if (data == null) {
            throw new IOException("could not fetch chunk " + digest + " after " + ATTEMPTS + " attempts: " + last.getMessage(),
                    last);
        }
        if (data.length != size) {
            throw new IntegrityException("chunk " + digest + " from " + url + " has " + data.length
                    + " bytes, the manifest says " + size);
        }
        store.put(digest, data); // verifies; a local fault (disk full) is reported as it is, not retried
        bytesFetched.addAndGet(size);
        progress.chunkFetched(size);
    }

    private static void join(CompletableFuture<Void> f) throws IOException {
        try {
            f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            if (cause instanceof InterruptedException) {
                throw new InterruptedIOException("interrupted while fetching chunks");
            }
            throw Parallel.rethrowable(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching chunks");
        }
    }
}
