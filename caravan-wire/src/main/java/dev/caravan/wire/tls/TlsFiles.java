package dev.caravan.wire.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * The three PEM files a peer or tracker needs for mutual TLS.
 *
 * @param certificate its certificate ({@code NAME.crt})
 * @param privateKey its PKCS#8 private key ({@code NAME.key}), readable only by its owner
 * @param ca the deployment CA's certificate ({@code ca.crt}), the only certificate it trusts
 */
public record TlsFiles(Path certificate, Path privateKey, Path ca) {
    public TlsFiles {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(ca, "ca");
    }

    /**
     * Stores what enrollment or renewal brought: the private key made on this machine ({@code 0600}),
     * the CA certificate and the certificate, each written atomically (temp file, fsync, rename) and
     * the certificate last, so that a certificate on disk always has its key and CA beside it. The
     * folder is made owner-only if missing.
     *
     * @param certificatePem the certificate issued for {@code keys}' public key
     * @param caPem the CA certificate it chains to
     * @param caFingerprint the SHA-256 (hex) the CA certificate must have, or null to skip that check
     * @return the stored certificate
     * @throws IOException if the certificate is not for this key, does not chain to the CA, or the
     *     CA is not the expected one; nothing is written then
     */
    public X509Certificate store(KeyPair keys, String certificatePem, String caPem, String caFingerprint) throws IOException {
        X509Certificate cert = Pem.parseCertificate(certificatePem, "the issued certificate");
        X509Certificate caCert = Pem.parseCertificate(caPem, "the CA certificate");
        if (caFingerprint != null && !JoinToken.fingerprint(caCert).equals(caFingerprint)) {
            throw new IOException("the tracker sent a CA certificate other than the one the join token names");
        }
        if (!cert.getPublicKey().equals(keys.getPublic())) {
            throw new IOException("the tracker sent a certificate for another key");
        }
        try {
            cert.verify(caCert.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IOException("the certificate the tracker sent is not signed by the CA: " + e.getMessage(), e);
        }
        Path dir = certificate.toAbsolutePath().getParent();
        Pem.createPrivateDirectory(dir);
        Pem.writeSecret(privateKey, Pem.privateKey(keys.getPrivate()));
        Pem.writePublic(ca, Pem.certificate(caCert));
        Pem.writePublic(certificate, Pem.certificate(cert));
        return cert;
    }

    /** The first certificate in {@link #certificate()}. */
    public X509Certificate readCertificate() throws IOException {
        return Pem.readCertificate(certificate);
    }

    /** The certificate in {@link #ca()}. */
    public X509Certificate readCa() throws IOException {
        return Pem.readCertificate(ca);
    }

    /** A certificate as PEM text. */
    public static String pem(X509Certificate cert) throws IOException {
        return Pem.certificate(cert);
    }

    /** The files {@link CertificateAuthority#issue} writes for {@code name} into {@code dir}. */
    public static TlsFiles in(Path dir, String name) {
        return new TlsFiles(dir.resolve(name + ".crt"), dir.resolve(name + ".key"), dir.resolve(CertificateAuthority.CA_CERT));
    }
}
