package dev.caravan.agent;

import dev.caravan.core.IntegrityException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs blocking file work over a few threads, splitting an index range into contiguous parts. */
final class Parallel {
    private Parallel() {}

    /** Work on the indexes {@code [from, to)}. */
    interface RangeTask {
        void run(int from, int to) throws IOException;
    }

    /**
     * Splits {@code [0, size)} into at most {@code threads} contiguous parts and runs {@code task}
     * on each in its own thread; returns when all are done. When parts fail, an integrity fault
     * wins over the others (it names the bad chunk; another part may only have seen that chunk
     * removed), then the first in range order.
     */
    static void forEachRange(int size, int threads, RangeTask task) throws IOException {
        int parts = Math.max(1, Math.min(threads, size));
        if (parts == 1) {
            task.run(0, size);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(parts, r -> {
            Thread t = new Thread(r, "caravan-install");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> futures = new ArrayList<>(parts);
            for (int p = 0; p < parts; p++) {
                int from = (int) ((long) size * p / parts);
                int to = (int) ((long) size * (p + 1) / parts);
                futures.add(pool.submit(() -> {
                    task.run(from, to);
                    return null;
                }));
            }
            Throwable failure = null;
            for (Future<Void> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (failure == null || (e.getCause() instanceof IntegrityException && !(failure instanceof IntegrityException))) {
                        failure = e.getCause();
                    }
                }
            }
            if (failure instanceof IOException io) {
                throw io;
            }
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            if (failure != null) {
                throw new IOException(failure);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while installing");
        } finally {
            pool.shutdownNow();
        }
    }
}
