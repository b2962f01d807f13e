package dev.caravan.tracker;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The join tokens this tracker has accepted, so that each works once, with the certificate issued
 * for each: {@value #FILE} in the state folder, one {@code id TAB expires_at} line per token and
 * one {@code certificate TAB id TAB base64(DER)} line per certificate, rewritten atomically (temp
 * file, fsync, rename) once a certificate is issued and before it is sent, and pruned of expired
 * tokens (an expired token is refused anyway). The certificate is kept so that a machine whose
 * answer was lost can ask again with the same key and get the same certificate (no second serial
 * that a revocation could miss). A tracker of an earlier version reads the token lines and skips
 * the others, so a downgrade forgets no spent token. Several trackers enrolling from one CA would
 * need to share this set (a Redis store); today it is per tracker.
 */
final class SpentTokens {
    static final String FILE = "spent-tokens";
    private static final String CERTIFICATE = "certificate";

    /** A spent token: when it expires, and the certificate issued for it, or null if none was recorded. */
    record Spent(Instant expiresAt, X509Certificate certificate) {
    }

    private final Path file;
    private final Map<String, Spent> spent = new HashMap<>();

    SpentTokens(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        this.file = stateDir.resolve(FILE);
        if (!Files.exists(file)) {
            return;
        }
        Map<String, X509Certificate> certificates = new HashMap<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            n++;
            String[] f = line.split("\t");
            try {
                if (f.length == 2) {
                    spent.put(f[0], new Spent(Instant.parse(f[1]), null));
                } else if (f.length == 3 && f[0].equals(CERTIFICATE)) {
                    certificates.put(f[1], (X509Certificate) CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(f[2]))));
                }
            } catch (DateTimeParseException | IllegalArgumentException | CertificateException e) {
                throw new IOException(file + " line " + n + " is damaged: " + e.getMessage(), e);
            }
        }
        certificates.forEach((id, cert) -> spent.computeIfPresent(id, (k, s) -> new Spent(s.expiresAt(), cert)));
    }

    /** The token {@code id} if it was spent, else null. */
    synchronized Spent lookup(String id) {
        return spent.get(id);
    }

    /**
     * Records {@code id} as spent, with the certificate issued for it, durably, unless it was spent
     * meanwhile.
     *
     * @return false if it was spent before
     */
    synchronized boolean spend(String id, Instant expiresAt, Instant now, X509Certificate certificate) throws IOException {
        if (spent.containsKey(id)) {
            return false;
        }
        Map<String, Spent> next = new HashMap<>(spent);
        next.values().removeIf(s -> !s.expiresAt().isAfter(now));
        next.put(id, new Spent(expiresAt, certificate));
        save(next);
        spent.clear();
        spent.putAll(next);
        return true;
    }

    private void save(Map<String, Spent> tokens) throws IOException {
        StringBuilder text = new StringBuilder();
        tokens.forEach((k, v) -> text.append(k).append('\t').append(v.expiresAt()).append('\n'));
        for (Map.Entry<String, Spent> e : tokens.entrySet()) {
            if (e.getValue().certificate() != null) {
                try {
                    text.append(CERTIFICATE).append('\t').append(e.getKey()).append('\t')
                            .append(Base64.getEncoder().encodeToString(e.getValue().certificate().getEncoded())).append('\n');
                } catch (CertificateEncodingException x) {
                    throw new IOException("cannot encode the certificate issued for join token " + e.getKey(), x);
                }
            }
        }
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
