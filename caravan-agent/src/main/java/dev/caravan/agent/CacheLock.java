package dev.caravan.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An agent's hold on its cache folder: an exclusive lock on {@code <cache>/agent.lock}, so that a
 * second agent started on the same cache stops at once with a clear error instead of racing the
 * first one's writes. The operating system drops the lock when the process dies, however it dies,
 * so a killed agent never leaves a stale lock behind.
 */
final class CacheLock implements AutoCloseable {
    static final String NAME = "agent.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private CacheLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, or throws naming the folder if another agent (in any process) holds it. */
    static CacheLock acquire(Path cacheDir) throws IOException {
        Files.createDirectories(cacheDir);
        Path file = cacheDir.resolve(NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another agent in this JVM
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("the cache folder " + cacheDir + " is in use by another agent (it holds " + file
                    + "); give each agent a cache folder of its own");
        }
        return new CacheLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // Closing the channel is what releases the lock; the process exiting does too.
        }
    }
}
