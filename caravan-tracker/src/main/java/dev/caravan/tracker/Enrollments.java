package dev.caravan.tracker;

import dev.caravan.wire.tls.CertificateAuthority;
import dev.caravan.wire.tls.CertificateRequests;
import dev.caravan.wire.tls.EnrollmentException;
import dev.caravan.wire.tls.JoinToken;
import dev.caravan.wire.tls.PeerIdentity;
import dev.caravan.wire.tls.Revocations;
import dev.caravan.wire.tls.Role;
import dev.caravan.wire.tls.TlsFiles;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker's certificate desk: it enrolls a machine that brings a valid, unspent join token and
 * a certificate request, and renews the certificate of an agent that calls with its current one.
 * It issues from the CA folder it was given (docs/decisions/005). No I/O but the CA folder and the
 * spent-token file; the HTTP handler calls it.
 */
final class Enrollments {
    private static final Logger log = LoggerFactory.getLogger(Enrollments.class);

    /** What the tracker sends back: the new certificate and the CA's, as PEM. */
    record Issued(String certificatePem, String caPem, String name, Instant notAfter) {
    }

    private final Path caDir;
    private final X509Certificate ca;
    private final String caPem;
    private final SpentTokens spent;
    private final Duration validity;
    private final Clock clock;
    private final Revocations revocations;

    Enrollments(TrackerSecurityConfig config, Clock clock, Revocations revocations) throws IOException {
        this.caDir = config.caDir();
        TlsFiles caFiles = new TlsFiles(caDir.resolve(CertificateAuthority.CA_CERT), caDir.resolve(CertificateAuthority.CA_KEY),
                caDir.resolve(CertificateAuthority.CA_CERT));
        this.ca = caFiles.readCa();
        this.caPem = TlsFiles.pem(ca);
        this.spent = new SpentTokens(config.stateDir());
        this.validity = config.certificateValidity();
        this.clock = clock;
        this.revocations = revocations;
    }

    /**
     * Checks the token (the CA's signature, this CA, not expired, never used), then the request,
     * issues an agent certificate for the token's name and records the token as spent with it
     * before it is sent. A token already used is accepted again only with the request's key being
     * the one it enrolled (the requester proves it holds it by the request's signature): that
     * machine lost the answer, and gets the same certificate again, not a new one.
     *
     * @throws EnrollmentException naming what was wrong; a token is spent only with a certificate issued
     */
    Issued enroll(String token, byte[] pkcs10) throws EnrollmentException, IOException {
        Instant now = clock.instant();
        JoinToken t = JoinToken.verify(token, ca, now);
        PublicKey key = CertificateRequests.verifiedKey(pkcs10);
        SpentTokens.Spent before = spent.lookup(t.id());
        if (before == null) {
            X509Certificate cert = CertificateAuthority.issueForRequest(caDir, pkcs10, t.name(), Role.AGENT, now, validity);
            if (spent.spend(t.id(), t.expiresAt(), now, cert)) {
                return issued(cert, t.name());
            }
            before = spent.lookup(t.id()); // a request with the same token got there first; this certificate is never sent
        }
        X509Certificate recorded = before.certificate();
        if (recorded == null || !MessageDigest.isEqual(recorded.getPublicKey().getEncoded(), key.getEncoded())) {
            throw new EnrollmentException("join token refused: it was already used; ask for a new one");
        }
        if (!recorded.getNotAfter().toInstant().isAfter(now)) {
            throw new EnrollmentException("join token refused: it was already used, and the certificate it enrolled has expired;"
                    + " ask for a new one");
        }
        if (revocations.isRevoked(recorded.getSerialNumber())) {
            throw new EnrollmentException("join token refused: it was already used, and the certificate it enrolled has been"
                    + " revoked");
        }
        log.info("join token for {} presented again with the key it enrolled (the answer was lost): the same certificate again",
                t.name());
        return issued(recorded, t.name());
    }

    /** A new certificate for the agent {@code who} (whose current certificate TLS checked, revocation included). */
    Issued renew(PeerIdentity who, byte[] pkcs10) throws EnrollmentException, IOException {
        return issue(who.name(), pkcs10, clock.instant());
    }

    private Issued issue(String name, byte[] pkcs10, Instant now) throws EnrollmentException, IOException {
        return issued(CertificateAuthority.issueForRequest(caDir, pkcs10, name, Role.AGENT, now, validity), name);
    }

    private Issued issued(X509Certificate cert, String name) throws IOException {
        return new Issued(TlsFiles.pem(cert), caPem, name, cert.getNotAfter().toInstant());
    }
}
