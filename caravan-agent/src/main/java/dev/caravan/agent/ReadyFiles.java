package dev.caravan.agent;

import dev.caravan.core.Digest;
import dev.caravan.core.manifest.ChunkSlice;
import dev.caravan.core.manifest.FileEntry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands an install's writers the files to write, each as soon as every chunk it is made of has
 * arrived, the lowest index first among those ready (so that consecutive small files sharing a
 * chunk are written together).
 *
 * <p>The swarm fetches chunks rarest first, in no path order: writers that waited for files in
 * path order sat idle behind one missing chunk while the rest of the release arrived, and did
 * most of the writing after the last chunk (in the ten-agent demo, the last 9 s of 40, with the
 * chunks read back from the disk because they had left memory by then).
 */
final class ReadyFiles {
    /** What {@link #take} returns once every file has been handed out. */
    static final int NONE = -1;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Per file, how many distinct chunks it still waits for. */
    private final int[] missing;
    private final PriorityQueue<Integer> ready = new PriorityQueue<>();
    private int handedOut;
    private Throwable failure;

    ReadyFiles(List<FileEntry> files, ChunkArrivals arrivals) {
        missing = new int[files.size()];
        Map<CompletableFuture<Void>, List<Integer>> waiting = new HashMap<>();
        for (int i = 0; i < files.size(); i++) {
            Set<Digest> distinct = new HashSet<>();
            for (ChunkSlice slice : files.get(i).slices()) {
                CompletableFuture<Void> arrival = arrivals.arrival(slice.chunk());
                if (arrival != null && distinct.add(slice.chunk())) {
                    waiting.computeIfAbsent(arrival, a -> new ArrayList<>()).add(i);
                    missing[i]++;
                }
            }
            if (missing[i] == 0) {
                ready.add(i);
            }
        }
        // Every count is complete before the first callback, which runs at once for a chunk already in.
        waiting.forEach((arrival, waiters) -> arrival.whenComplete((ok, e) -> arrived(waiters, e)));
    }

    /**
     * The index of the next file to write, waiting until one is ready; {@link #NONE} once all have
     * been handed out. Throws why a chunk will never arrive, or if the thread is interrupted.
     */
    int take() throws IOException {
        lock.lock();
        try {
            while (true) {
                if (failure != null) {
                    throw Parallel.rethrowable(failure);
                }
                Integer next = ready.poll();
                if (next != null) {
                    handedOut++;
                    return next;
                }
                if (handedOut == missing.length) {
                    return NONE;
                }
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for chunks to install");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void arrived(List<Integer> waiters, Throwable e) {
        lock.lock();
        try {
            if (e != null) {
                if (failure == null) {
                    failure = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                }
            } else {
                for (int file : waiters) {
                    if (--missing[file] == 0) {
                        ready.add(file);
                    }
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
