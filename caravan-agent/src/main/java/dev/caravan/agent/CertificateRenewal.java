package dev.caravan.agent;

import dev.caravan.tracker.TrackerClient;
import dev.caravan.wire.tls.CertificateRequests;
import dev.caravan.wire.tls.TlsFiles;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When an agent renews its certificate, and doing it: once {@value #RENEW_AT_NUMERATOR}/{@value
 * #RENEW_AT_DENOMINATOR} of the certificate's lifetime is gone, the agent makes a new key on the
 * machine and asks the tracker for a certificate for it, presenting the current one (which the
 * tracker checks, revocation included, so a revoked agent cannot renew). A failed attempt is tried
 * again {@link #RETRY} later, so a tracker that does not enroll costs one warning per retry, not one
 * per announce.
 */
final class CertificateRenewal {
    private static final Logger log = LoggerFactory.getLogger(CertificateRenewal.class);
    static final int RENEW_AT_NUMERATOR = 2;
    static final int RENEW_AT_DENOMINATOR = 3;
    static final Duration RETRY = Duration.ofMinutes(10);

    private final String name;
    private final TlsFiles files;
    private final Clock clock;
    private volatile Instant notBefore;
    private volatile Instant notAfter;
    private volatile Instant notUntil = Instant.MIN;
    /** When, by our clock, we received the certificate we hold; null for the one found at start. */
    private volatile Instant received;

    CertificateRenewal(String name, TlsFiles files, Clock clock) throws IOException {
        this.name = name;
        this.files = files;
        this.clock = clock;
        read(files.readCertificate());
    }

    private void read(X509Certificate cert) {
        notBefore = cert.getNotBefore().toInstant();
        notAfter = cert.getNotAfter().toInstant();
    }

    /**
     * Whether the certificate is past two thirds of its lifetime and no failed attempt is too recent.
     * The lifetime counts from when we received the certificate, if that is later by our clock than
     * its notBefore: a clock ahead of the CA's would otherwise find every fresh certificate already
     * two thirds gone and renew it at every announce.
     */
    boolean due() {
        Instant now = clock.instant();
        Duration life = Duration.between(notBefore, notAfter);
        Instant start = received != null && received.isAfter(notBefore) ? received : notBefore;
        Instant renewAt = start.plus(life.multipliedBy(RENEW_AT_NUMERATOR).dividedBy(RENEW_AT_DENOMINATOR));
        return !now.isBefore(renewAt) && !now.isBefore(notUntil);
    }

    /** Renews through {@code tracker}, which stores the new key and certificate in the agent's TLS files. */
    void renewWith(TrackerClient tracker) throws IOException {
        X509Certificate cert = tracker.renew(CertificateRequests.newKeyPair(), name);
        Instant old = notAfter;
        read(cert);
        received = clock.instant();
        log.info("{}: renewed its certificate (was valid until {}, now until {})", name, old, notAfter);
    }

    void failed() {
        notUntil = clock.instant().plus(RETRY);
    }

    Instant notAfter() {
        return notAfter;
    }
}
