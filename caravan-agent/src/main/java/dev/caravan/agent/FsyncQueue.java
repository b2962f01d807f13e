package dev.caravan.agent;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Flushes written files to disk in the background while more are being written: an install
 * whose chunks arrive over the network has its files durable by the time the last one is
 * written, and the several threads waiting in fsync at once let the file system commit many
 * files per journal transaction.
 */
final class FsyncQueue implements AutoCloseable {
    private final ExecutorService pool;
    private final List<Future<?>> pending = new ArrayList<>();

    FsyncQueue(int threads) {
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "caravan-fsync");
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code file} (written and closed) to be forced to disk. */
    synchronized void add(Path file) {
        pending.add(pool.submit(() -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            return null;
        }));
    }

    /** Returns once every queued file is on disk, or throws the first failure. */
    void awaitAll() throws IOException {
        List<Future<?>> all;
        synchronized (this) {
            all = new ArrayList<>(pending);
        }
        for (Future<?> f : all) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while flushing installed files to disk");
            }
        }
    }

    /** Stops flushing and returns once no thread still holds a file open. */
    @Override
    public void close() {
        Parallel.shutdownAndWait(pool);
    }
}
