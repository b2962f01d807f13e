package dev.caravan.agent;

import dev.caravan.wire.PeerId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * The file in an agent's cache folder that keeps its {@link PeerId}: drawn at the first start,
 * read at every later one, so that a restarted agent is the same peer to the tracker and to the
 * swarm. One line of lowercase hex; written atomically (temporary file, fsync, rename, fsync of
 * the folder), so a crash leaves the old file, the new one, or none.
 */
public final class PeerIdFile {
    /** The file's name in the cache folder. */
    public static final String NAME = "peer-id";

    private PeerIdFile() {}

    /**
     * The peer id kept in {@code cacheDir}, drawn from {@code random} and written there first if
     * there is none.
     *
     * @throws IOException if the file cannot be read or written, or does not hold a peer id (it
     *     is never replaced silently: delete it to draw a new id)
     */
    public static PeerId loadOrCreate(Path cacheDir, SecureRandom random) throws IOException {
        Path file = cacheDir.resolve(NAME);
        if (Files.exists(file)) {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            try {
                return PeerId.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " does not hold a peer id (32 or 64 hex characters); delete it to draw a"
                        + " new one");
            }
        }
        PeerId id = PeerId.random(random);
        write(file, (id + "\n").getBytes(StandardCharsets.US_ASCII));
        return id;
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + NAME + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
            folder.force(true); // the rename itself survives a crash
        } catch (IOException | UnsupportedOperationException e) {
            // some platforms cannot fsync a folder; the rename is still atomic
        }
    }
}
