package dev.caravan.agent;

import dev.caravan.core.Digest;
import dev.caravan.core.IntegrityException;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.core.manifest.ChunkInfo;
import dev.caravan.core.manifest.ChunkSlice;
import dev.caravan.core.manifest.FileEntry;
import dev.caravan.core.manifest.Manifest;
import dev.caravan.core.manifest.ReleasePaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of getting a release: writes a {@link Manifest}'s files from a {@link ChunkStore}
 * into a target folder, all or nothing.
 *
 * <p>Every path is checked again ({@link ReleasePaths}) and every chunk is checked to be in the
 * store before anything is written. The tree is built in a staging folder beside the target,
 * {@code <parent>/.<name>.caravan-staging-<random>} (same file system, so renames are atomic):
 * each file from its chunk slices, its size and SHA-256
 * checked, its mode set, and files and folders fsynced. Then it is swapped in: renamed to the
 * target if there is none; otherwise the old target is renamed aside
 * ({@code .<name>.caravan-old-<random>}), the new one renamed in, and the old one deleted.
 * Between those two renames the target does not exist for an instant: Java has no
 * {@code renameat2(RENAME_EXCHANGE)}. A reader that must never see that should follow a
 * {@code current} symbolic link switched after install, as DESIGN.md's agent layout does.
 *
 * <p>If anything fails before the swap, the staging folder is removed and the target is exactly
 * as it was. A target that exists and is not a folder (a file, a symbolic link) is refused.
 */
public final class ReleaseInstaller {
    private static final Logger log = LoggerFactory.getLogger(ReleaseInstaller.class);
    private static final Pattern LEFTOVER = Pattern.compile("\\..+\\.caravan-(staging|old)-[0-9a-f]{16}");
    private static final Set<PosixFilePermission> FOLDER_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> EXECUTABLE_MODE = FOLDER_MODE;
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
    /** Threads writing files (each also hashes what it writes). */
    private static final int WRITERS = Math.max(2, Runtime.getRuntime().availableProcessors());
    /** Threads waiting in fsync at once, so that the journal can commit many files together. */
    private static final int FSYNCERS = 16;

    private final ChunkStore store;

    public ReleaseInstaller(ChunkStore store) {
        this.store = store;
    }

    /** Materializes {@code manifest} into {@code target}, replacing what is there, or leaves {@code target} untouched and throws. */
    public void install(Manifest manifest, Path target) throws IOException {
        for (ChunkInfo chunk : manifest.distinctChunks()) {
            if (!store.has(chunk.digest())) {
                throw new NoSuchFileException(store.path(chunk.digest()).toString(), null,
                        "cannot install " + manifest.releaseId() + ": chunk " + chunk.digest() + " is not in the chunk store");
            }
        }
        install(manifest, target, ChunkArrivals.PRESENT);
    }

    /**
     * Like {@link #install(Manifest, Path)}, but writes each file as soon as {@code arrivals} says
     * its chunks are in the store, so that installing overlaps fetching.
     */
    public void install(Manifest manifest, Path target, ChunkArrivals arrivals) throws IOException {
        String release = manifest.releaseId().toString();
        try {
            ReleasePaths.requireDistinct(manifest.files().stream().map(FileEntry::path).toList());
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot install " + release + ": " + e.getMessage(), e);
        }
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent == null) {
            throw new IOException("cannot install " + release + " as the file system root " + absolute);
        }
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(absolute.toString(), null,
                    "cannot install " + release + " there: it exists and is not a folder");
        }
        Files.createDirectories(parent);
        String name = absolute.getFileName().toString();
        Path staging = parent.resolve("." + name + ".caravan-staging-" + randomSuffix());
        Files.createDirectory(staging);
        try {
            writeTree(manifest, staging, arrivals);
            swapIn(staging, absolute);
        } catch (IOException | RuntimeException | Error e) {
            try {
                deleteTree(staging);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof WriteFault fault) {
                throw new IOException("cannot install " + release + " into " + absolute + ": " + fault.getMessage(), fault.getCause());
            }
            throw e;
        }
    }

    /**
     * Removes what installs cut short left in {@code parent}: staging folders and trees set aside
     * during a swap ({@code .<name>.caravan-staging-<hex>}, {@code .<name>.caravan-old-<hex>}).
     * Only for a folder no install is running in. Returns how many were removed.
     */
    public static int removeLeftovers(Path parent) throws IOException {
        if (!Files.isDirectory(parent)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(parent,
                p -> LEFTOVER.matcher(p.getFileName().toString()).matches())) {
            for (Path p : leftovers) {
                deleteTree(p);
                removed++;
            }
        }
        return removed;
    }

    /**
     * Deletes an installed tree without ever leaving part of it under its own name: it is renamed
     * aside first (as {@link #removeLeftovers} would find it after a crash), then deleted.
     */
    public static void discard(Path tree) throws IOException {
        Path aside = tree.resolveSibling("." + tree.getFileName() + ".caravan-old-" + randomSuffix());
        Files.move(tree, aside, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(aside);
    }

    private void writeTree(Manifest manifest, Path staging, ChunkArrivals arrivals) throws IOException {
        Set<Path> folders = new LinkedHashSet<>();
        folders.add(staging);
        List<Path> outs = new ArrayList<>(manifest.files().size());
        for (FileEntry file : manifest.files()) {
            Path out = ReleasePaths.resolve(staging, file.path());
            for (Path folder = out.getParent(); !folders.contains(folder); folder = folder.getParent()) {
                folders.add(folder);
            }
            outs.add(out);
        }
        for (Path folder : folders) {
            Files.createDirectories(folder);
        }
        // A few threads write the files, each as soon as its chunks are in (ReadyFiles); each written
        // file is handed to the fsync queue at once, so flushing overlaps writing (and fetching).
        List<FileEntry> files = manifest.files();
        ReadyFiles ready = new ReadyFiles(files, arrivals);
        try (FsyncQueue fsyncs = new FsyncQueue(FSYNCERS)) {
            Parallel.run(Math.min(WRITERS, files.size()), () -> {
                ChunkReader chunks = new ChunkReader(store, arrivals);
                for (int i = ready.take(); i != ReadyFiles.NONE; i = ready.take()) {
                    writeFile(files.get(i), outs.get(i), chunks);
                    fsyncs.add(outs.get(i));
                }
            });
            log.debug("{} files written; waiting for them to reach the disk", files.size());
            fsyncs.awaitAll();
        }
        List<Path> deepestFirst = new ArrayList<>(folders);
        deepestFirst.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path folder : deepestFirst) {
            Files.setPosixFilePermissions(folder, FOLDER_MODE);
            fsyncFolder(folder);
        }
    }

    private static void writeFile(FileEntry file, Path out, ChunkReader chunks) throws IOException {
        MessageDigest sha256 = Digest.newSha256();
        long written = 0;
        FileChannel ch;
        try {
            ch = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new WriteFault(file, e);
        }
        try (ch) {
            for (ChunkSlice slice : file.slices()) {
                byte[] chunk = chunks.read(slice.chunk());
                if (slice.offset() + slice.length() > chunk.length) {
                    chunks.verifyAll(file); // names (and removes) the chunk that went short in the store
                    throw new IntegrityException("file " + file.path() + " needs bytes " + slice.offset() + ".."
                            + (slice.offset() + slice.length()) + " of chunk " + slice.chunk() + ", which has " + chunk.length);
                }
                sha256.update(chunk, slice.offset(), slice.length());
                ByteBuffer buf = ByteBuffer.wrap(chunk, slice.offset(), slice.length());
                try {
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                } catch (IOException e) {
                    throw new WriteFault(file, e);
                }
                written += slice.length();
            }
            Digest actual = Digest.ofBytes(sha256.digest());
            if (written != file.size() || !actual.equals(file.sha256())) {
                chunks.verifyAll(file); // names (and removes) a chunk that went bad in the store, if that is the cause
                throw new IntegrityException("file " + file.path() + " came out as " + written + " bytes with SHA-256 " + actual
                        + "; the manifest says " + file.size() + " bytes with SHA-256 " + file.sha256());
            }
            try {
                Files.setPosixFilePermissions(out, file.executable() ? EXECUTABLE_MODE : FILE_MODE);
            } catch (IOException e) {
                throw new WriteFault(file, e);
            }
        }
    }

    private static void swapIn(Path staging, Path target) throws IOException {
        Path parent = target.getParent();
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            fsyncAfterSwap(parent, target);
            return;
        }
        Path old = parent.resolve("." + target.getFileName() + ".caravan-old-" + randomSuffix());
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException restore) {
                e.addSuppressed(restore);
            }
            throw e;
        }
        fsyncAfterSwap(parent, target);
        try {
            deleteTree(old);
        } catch (IOException e) {
            log.warn("installed into {} but could not delete the previous tree, left at {}: {}", target, old, e.toString());
        }
    }

    /**
     * Makes the swap durable. It has already happened and other processes see the new tree, so
     * a failure here is not a failed install: it is logged (the rename may not survive a power
     * loss) and the install carries on.
     */
    private static void fsyncAfterSwap(Path parent, Path target) {
        try {
            fsyncFolder(parent);
        } catch (IOException e) {
            log.warn("installed into {}, but could not fsync {} to make that durable: {}", target, parent, e.toString());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void fsyncFolder(Path folder) throws IOException {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static String randomSuffix() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    /** A fault writing the tree, as opposed to getting the chunks: {@link #install} names the target. */
    private static final class WriteFault extends IOException {
        WriteFault(FileEntry file, IOException cause) {
            super("writing " + file.path() + ": " + reason(cause), cause);
        }

        /** The operating system's words ("No space left on device"), without the staging path they may carry. */
        private static String reason(IOException e) {
            return e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        }
    }

    /**
     * Reads chunks (in the store by now) for one writer thread — from memory while the swarm still
     * holds them verified, else from the store; keeps the last one, since consecutive
     * small files share it. Chunks are read without hashing them again: each file's SHA-256 is
     * checked after it is written, which covers every byte read, and only when a file fails is
     * each of its chunks verified, to name the one that went bad.
     */
    private static final class ChunkReader {
        private final ChunkStore store;
        private final ChunkArrivals arrivals;
        private Digest lastDigest;
        private byte[] lastBytes;

        ChunkReader(ChunkStore store, ChunkArrivals arrivals) {
            this.store = store;
            this.arrivals = arrivals;
        }

        byte[] read(Digest digest) throws IOException {
            if (!digest.equals(lastDigest)) {
                byte[] held = arrivals.inMemory(digest);
                try {
                    lastBytes = held != null ? held : Files.readAllBytes(store.path(digest));
                } catch (NoSuchFileException e) {
                    throw new NoSuchFileException(e.getFile(), null, "chunk " + digest + " is not in the chunk store "
                            + store.root() + " (removed while installing?)");
                }
                lastDigest = digest;
            }
            return lastBytes;
        }

        /** Verifies every chunk of {@code file} through the store, which throws naming a bad one and removes it. */
        void verifyAll(FileEntry file) throws IOException {
            lastDigest = null;
            for (ChunkSlice slice : file.slices()) {
                store.read(slice.chunk());
            }
        }
    }
}
