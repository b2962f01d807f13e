package dev.caravan.tracker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The join tokens this tracker has accepted, so that each works once: {@value #FILE} in the state
 * folder, one {@code id TAB expires_at} line each, rewritten atomically (temp file, fsync, rename)
 * before the certificate is sent, and pruned of expired tokens (an expired token is refused
 * anyway). Several trackers enrolling from one CA would need to share this set (a Redis store);
 * today it is per tracker.
 */
final class SpentTokens {
    static final String FILE = "spent-tokens";

    private final Path file;
    private final Map<String, Instant> spent = new HashMap<>();

    SpentTokens(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        this.file = stateDir.resolve(FILE);
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                String[] f = line.split("\t");
                if (f.length == 2) {
                    spent.put(f[0], Instant.parse(f[1]));
                }
            }
        }
    }

    /**
     * Records {@code id} as spent, durably, unless it already was.
     *
     * @return false if it was spent before
     */
    synchronized boolean spend(String id, Instant expiresAt, Instant now) throws IOException {
        if (spent.containsKey(id)) {
            return false;
        }
        spent.values().removeIf(expiry -> !expiry.isAfter(now));
        spent.put(id, expiresAt);
        StringBuilder text = new StringBuilder();
        spent.forEach((k, v) -> text.append(k).append('\t').append(v).append('\n'));
        Path tmp = file.resolveSibling("." + FILE + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            spent.remove(id);
            throw e;
        } finally {
            Files.deleteIfExists(tmp);
        }
        return true;
    }
}
