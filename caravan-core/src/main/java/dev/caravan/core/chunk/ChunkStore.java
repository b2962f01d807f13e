package dev.caravan.core.chunk;

import dev.caravan.core.Digest;
import dev.caravan.core.IntegrityException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A content-addressed folder of chunks: each chunk is a file named by its SHA-256 at
 * {@code <root>/<first 2 hex>/<64 hex>}, stored once whatever release it belongs to. The same
 * layout is the repository's {@code chunks/} folder and an agent's cache.
 *
 * <p>Every chunk is verified on the way in ({@link #put}) and on the way out ({@link #read}): a
 * file that went bad on disk is reported as an {@link IntegrityException} and removed so that it
 * can be fetched again. Writes are atomic (a temporary file in the same folder, written, fsynced,
 * renamed, and the folder fsynced), so a crash leaves either the whole chunk or none of it; at
 * worst a stray {@code .*.tmp} file, which never has a chunk's name and which
 * {@link #removeStrays} clears.
 *
 * <p>Safe for concurrent use by several threads and processes: two writers of the same chunk
 * rename identical bytes to the same name.
 */
public final class ChunkStore {
    /** The temporary name a chunk is written under before its rename: {@code .<hex>.<random>.tmp}. */
    private static final Pattern STRAY = Pattern.compile("\\.[0-9a-f]{64}\\.[0-9a-f]{16}\\.tmp");
    private final Path root;

    /** Opens the store at {@code root}, creating the folder if needed. */
    public ChunkStore(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root);
    }

    public Path root() {
        return root;
    }

    /** Where the chunk {@code digest} lives, whether it is there or not. */
    public Path path(Digest digest) {
        String hex = digest.hex();
        return root.resolve(hex.substring(0, 2)).resolve(hex);
    }

    /** Whether the chunk is stored (not verified: {@link #read} verifies). */
    public boolean has(Digest digest) {
        return Files.isRegularFile(path(digest), LinkOption.NOFOLLOW_LINKS);
    }

    /** The stored chunk's size in bytes; {@link NoSuchFileException} if it is not stored. */
    public long size(Digest digest) throws IOException {
        try {
            return Files.size(path(digest));
        } catch (NoSuchFileException e) {
            throw notStored(digest);
        }
    }

    /**
     * Stores {@code data} as the chunk {@code expected} after checking that it is: its SHA-256
     * must be {@code expected}, or this throws an {@link IntegrityException} naming the chunk
     * and stores nothing.
     *
     * @return true if the chunk was written, false if it was already stored
     */
    public boolean put(Digest expected, byte[] data) throws IOException {
        if (data.length > ChunkingConfig.LARGEST_MAX_BYTES) {
            throw new IntegrityException("chunk " + expected + " refused: " + data.length
                    + " bytes is more than a chunk may have (" + ChunkingConfig.LARGEST_MAX_BYTES + ")");
        }
        Digest actual = Digest.sha256(data);
        if (!actual.equals(expected)) {
            throw new IntegrityException("chunk " + expected + " refused: its bytes have SHA-256 " + actual);
        }
        return putVerified(expected, data);
    }

    /**
     * Like {@link #put}, for a caller that has just computed {@code data}'s SHA-256 and found it
     * equal to {@code digest} (a swarm verifies each chunk in memory before it announces it, and
     * hashing it again here would cost a third of the agent's hashing). Never call it with bytes
     * that were not checked.
     */
    public boolean putVerified(Digest digest, byte[] data) throws IOException {
        Digest expected = digest;
        if (has(expected)) {
            return false;
        }
        Path target = path(expected);
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            fsyncDirectory(root);
        }
        Path tmp = dir.resolve("." + expected.hex() + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        fsyncDirectory(dir);
        return true;
    }

    /**
     * The chunk's bytes, verified against its name. A stored file whose bytes do not match is
     * removed and reported as an {@link IntegrityException} naming the chunk and the file; a
     * chunk that is not stored is a {@link NoSuchFileException}.
     */
    public byte[] read(Digest digest) throws IOException {
        Path path = path(digest);
        long size = size(digest);
        if (size > ChunkingConfig.LARGEST_MAX_BYTES) {
            throw corrupt(digest, path, size + " bytes, more than a chunk may have (" + ChunkingConfig.LARGEST_MAX_BYTES + ")");
        }
        byte[] data;
        try {
            data = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw notStored(digest);
        }
        Digest actual = Digest.sha256(data);
        if (!actual.equals(digest)) {
            throw corrupt(digest, path, "its bytes have SHA-256 " + actual);
        }
        return data;
    }

    /**
     * Removes the temporary files that writes cut short left behind (a process killed between
     * creating one and renaming it) and returns how many. Only for the store's sole writer, at
     * start: another process's write in progress would lose its temporary file and fail.
     */
    public int removeStrays() throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root, p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
            for (Path folder : folders) {
                try (DirectoryStream<Path> strays = Files.newDirectoryStream(folder, p -> STRAY.matcher(p.getFileName().toString()).matches())) {
                    for (Path stray : strays) {
                        removed += Files.deleteIfExists(stray) ? 1 : 0;
                    }
                }
            }
        }
        return removed;
    }

    /** Removes the chunk if it is stored; returns whether it was. */
    public boolean delete(Digest digest) throws IOException {
        return Files.deleteIfExists(path(digest));
    }

    private IntegrityException corrupt(Digest digest, Path path, String what) throws IOException {
        Files.deleteIfExists(path);
        return new IntegrityException("chunk " + digest + " in " + path + " is corrupt (" + what
                + "); removed it so that it can be fetched again");
    }

    private NoSuchFileException notStored(Digest digest) {
        return new NoSuchFileException(path(digest).toString(), null, "chunk " + digest + " is not in the store");
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
