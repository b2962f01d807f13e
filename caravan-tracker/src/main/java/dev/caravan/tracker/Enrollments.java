package dev.caravan.tracker;

import dev.caravan.wire.tls.CertificateAuthority;
import dev.caravan.wire.tls.CertificateRequests;
import dev.caravan.wire.tls.EnrollmentException;
import dev.caravan.wire.tls.JoinToken;
import dev.caravan.wire.tls.PeerIdentity;
import dev.caravan.wire.tls.Role;
import dev.caravan.wire.tls.TlsFiles;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.nio.file.Path;

/**
 * The tracker's certificate desk: it enrolls a machine that brings a valid, unspent join token and
 * a certificate request, and renews the certificate of an agent that calls with its current one.
 * It issues from the CA folder it was given (docs/decisions/005). No I/O but the CA folder and the
 * spent-token file; the HTTP handler calls it.
 */
final class Enrollments {
    /** What the tracker sends back: the new certificate and the CA's, as PEM. */
    record Issued(String certificatePem, String caPem, String name, Instant notAfter) {
    }

    private final Path caDir;
    private final X509Certificate ca;
    private final String caPem;
    private final SpentTokens spent;
    private final Duration validity;
    private final Clock clock;

    Enrollments(TrackerSecurityConfig config, Clock clock) throws IOException {
        this.caDir = config.caDir();
        TlsFiles caFiles = new TlsFiles(caDir.resolve(CertificateAuthority.CA_CERT), caDir.resolve(CertificateAuthority.CA_KEY),
                caDir.resolve(CertificateAuthority.CA_CERT));
        this.ca = caFiles.readCa();
        this.caPem = TlsFiles.pem(ca);
        this.spent = new SpentTokens(config.stateDir());
        this.validity = config.certificateValidity();
        this.clock = clock;
    }

    /**
     * Checks the token (the CA's signature, this CA, not expired, never used), then the request,
     * records the token as spent, and issues an agent certificate for the token's name.
     *
     * @throws EnrollmentException naming what was wrong; a token is spent only when a certificate is issued
     */
    Issued enroll(String token, byte[] pkcs10) throws EnrollmentException, IOException {
        Instant now = clock.instant();
        JoinToken t = JoinToken.verify(token, ca, now);
        CertificateRequests.verifiedKey(pkcs10);
        if (!spent.spend(t.id(), t.expiresAt(), now)) {
            throw new EnrollmentException("join token refused: it was already used; ask for a new one");
        }
        return issue(t.name(), pkcs10, now);
    }

    /** A new certificate for the agent {@code who} (whose current certificate TLS checked, revocation included). */
    Issued renew(PeerIdentity who, byte[] pkcs10) throws EnrollmentException, IOException {
        return issue(who.name(), pkcs10, clock.instant());
    }

    private Issued issue(String name, byte[] pkcs10, Instant now) throws EnrollmentException, IOException {
        X509Certificate cert = CertificateAuthority.issueForRequest(caDir, pkcs10, name, Role.AGENT, now, validity);
        return new Issued(TlsFiles.pem(cert), caPem, name, cert.getNotAfter().toInstant());
    }
}
