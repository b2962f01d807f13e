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
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The join tokens this tracker has accepted, so that each works once: {@value #FILE} in the state
 * folder, one {@code id TAB expires_at [TAB certificate]} line each (the certificate issued for the
 * token, DER in base64, once it is issued), rewritten atomically (temp file, fsync, rename) before
 * the certificate is sent, and pruned of expired tokens (an expired token is refused anyway). The
 * certificate is kept so that a machine whose answer was lost can ask again with the same key and
 * get the same certificate (no second serial that a revocation could miss). Several trackers
 * enrolling from one CA would need to share this set (a Redis store); today it is per tracker.
 */
final class SpentTokens {
    static final String FILE = "spent-tokens";

    private record Spent(Instant expiresAt, byte[] certificate) {
    }

    private final Path file;
    private final Map<String, Spent> spent = new HashMap<>();

    SpentTokens(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        this.file = stateDir.resolve(FILE);
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                String[] f = line.split("\t");
                if (f.length == 2 || f.length == 3) {
                    spent.put(f[0], new Spent(Instant.parse(f[1]), f.length == 3 ? Base64.getDecoder().decode(f[2]) : null));
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
        spent.values().removeIf(s -> !s.expiresAt().isAfter(now));
        spent.put(id, new Spent(expiresAt, null));
        try {
            save();
        } catch (IOException e) {
            spent.remove(id);
            throw e;
        }
        return true;
    }

    /** Records, durably, the certificate issued for the spent token {@code id} (DER). */
    synchronized void issued(String id, byte[] certificate) throws IOException {
        Spent s = spent.get(id);
        if (s != null) {
            spent.put(id, new Spent(s.expiresAt(), certificate.clone()));
            save();
        }
    }

    /** The certificate issued for the spent token {@code id} (DER), or null if none was recorded. */
    synchronized byte[] certificate(String id) {
        Spent s = spent.get(id);
        return s == null || s.certificate() == null ? null : s.certificate().clone();
    }

    private void save() throws IOException {
        StringBuilder text = new StringBuilder();
        spent.forEach((k, v) -> {
            text.append(k).append('\t').append(v.expiresAt());
            if (v.certificate() != null) {
                text.append('\t').append(Base64.getEncoder().encodeToString(v.certificate()));
            }
            text.append('\n');
        });
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
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
