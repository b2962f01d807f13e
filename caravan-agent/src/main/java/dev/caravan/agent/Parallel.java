package dev.caravan.agent;

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
     * on each in its own thread; returns when all are done, rethrowing the first failure (the
     * other parts are interrupted).
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
            for (Future<Void> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while installing");
        } finally {
            pool.shutdownNow();
        }
    }
}
