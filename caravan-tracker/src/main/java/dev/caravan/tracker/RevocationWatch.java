package dev.caravan.tracker;

import dev.caravan.wire.tls.RevocationList;
import dev.caravan.wire.tls.RevocationListException;
import dev.caravan.wire.tls.Revocations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the tracker's {@link Revocations} in step with the CA's {@code crl.pem}: read at start, then
 * again whenever its modification time or size changes (looked at every
 * {@link TrackerSecurityConfig#revocationListRefresh()}). A list that is not the CA's or is older
 * than the one held is refused with a warning; the one held stays.
 */
final class RevocationWatch {
    private static final Logger log = LoggerFactory.getLogger(RevocationWatch.class);

    private final Path file;
    private final Revocations revocations;
    private FileTime seenTime;
    private long seenSize = -1;

    RevocationWatch(Path file, Revocations revocations) {
        this.file = file;
        this.revocations = revocations;
    }

    /**
     * Reads the file at start; a bad list stops the tracker from starting. A missing one (a CA made
     * before revocation lists existed) is waited for: {@code caravan ca revoke} writes it.
     */
    void load() throws IOException {
        if (!Files.exists(file)) {
            log.warn("tracker has no revocation list yet: {} does not exist; it is taken once `caravan ca revoke` writes it", file);
            return;
        }
        try {
            look();
        } catch (RevocationListException e) {
            throw new IOException("revocation list " + file + ": " + e.getMessage(), e);
        }
    }

    /** Looks again; called on a timer. */
    void poll() {
        try {
            look();
        } catch (IOException | RevocationListException e) {
            log.warn("tracker keeps revocation list number {}: {} cannot be taken: {}", revocations.number(), file, e.getMessage());
        }
    }

    private synchronized void look() throws IOException, RevocationListException {
        if (!Files.exists(file) && seenSize < 0) {
            return; // never had one: nothing to keep, nothing to warn about again
        }
        FileTime time = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        if (time.equals(seenTime) && size == seenSize) {
            return;
        }
        seenTime = time;
        seenSize = size;
        if (revocations.update(RevocationList.readDer(file))) {
            log.info("tracker took revocation list number {} from {}: {} certificates revoked", revocations.number(), file,
                    revocations.size());
        }
    }
}
