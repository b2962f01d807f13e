package dev.caravan.agent;

import dev.caravan.core.IntegrityException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Runs blocking file work on a few threads at once. */
final class Parallel {
    private Parallel() {}

    /** The work of one thread. */
    interface Worker {
        void run() throws IOException;
    }

    /**
     * Runs {@code worker} in {@code threads} threads at once and returns when all are done. The
     * first to fail stops the others (they are interrupted), and this returns only once every
     * thread has stopped, so the caller may clean up what they wrote. An integrity fault wins over
     * the others (it names the bad chunk; another thread may only have seen that chunk removed).
     */
    static void run(int threads, Worker worker) throws IOException {
        int parts = Math.max(1, threads);
        if (parts == 1) {
            worker.run();
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(parts, r -> {
            Thread t = new Thread(r, "caravan-install");
            t.setDaemon(true);
            return t;
        });
        CompletionService<Void> done = new ExecutorCompletionService<>(pool);
        Throwable failure = null;
        try {
            for (int p = 0; p < parts; p++) {
                done.submit(() -> {
                    worker.run();
                    return null;
                });
            }
            for (int finished = 0; finished < parts; finished++) {
                try {
                    done.take().get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (failure == null) {
                        failure = cause;
                        pool.shutdownNow(); // stop the other parts now, not after a whole download
                    } else if (cause instanceof IntegrityException && !(failure instanceof IntegrityException)) {
                        failure = cause;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = new InterruptedIOException("interrupted while installing");
        } finally {
            shutdownAndWait(pool);
        }
        if (failure != null) {
            throw rethrowable(failure);
        }
    }

    /**
     * What to throw for a worker's failure: an IOException as it is, one wrapping any other checked
     * exception; a RuntimeException or an Error is thrown from here, unchanged.
     */
    static IOException rethrowable(Throwable failure) {
        if (failure instanceof IOException io) {
            return io;
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new IOException(failure.getMessage(), failure);
    }

    /** Interrupts the pool's threads and waits until they have all stopped, keeping this thread's interrupt. */
    static void shutdownAndWait(ExecutorService pool) {
        pool.shutdownNow();
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
