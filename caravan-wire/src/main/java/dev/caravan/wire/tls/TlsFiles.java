package dev.caravan.wire.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
     * the CA certificate and the certificate: all three written and synced as {@code NAME.next},
     * then renamed, the certificate last ({@link #finishInterruptedStore} completes what a crash
     * cut short). The folders are made owner-only if missing.
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
        for (Path p : new Path[] {certificate, privateKey, ca}) {
            Pem.createPrivateDirectory(p.toAbsolutePath().getParent());
        }
        // All three are written and synced as NAME.next first, the certificate last; only then are
        // they renamed over the files in use. A crash before the certificate's .next exists leaves
        // the old files, which belong together; a crash after it is finished by
        // finishInterruptedStore at the next start, so a key never stays beside a certificate
        // that is not its own.
        finishInterruptedStore();
        stageNext(ca, Pem.certificate(caCert), false);
        stageNext(privateKey, Pem.privateKey(keys.getPrivate()), true);
        stageNext(certificate, Pem.certificate(cert), false);
        installNext();
        try {
            Files.deleteIfExists(pendingKey());
        } catch (IOException e) {
            // the certificate is stored; a pending key left behind is only ever used for its own token
        }
        return cert;
    }

    /**
     * Finishes a {@link #store} that a crash cut short, or drops one that had not staged all three
     * files; returns true if it finished one. Call it before reading the files ({@code caravan agent} does, at
     * start). Without it, a crash between two renames could leave a key beside a certificate for
     * another key, and the machine unable to connect until it enrolled again.
     */
    public boolean finishInterruptedStore() throws IOException {
        if (Files.exists(next(certificate))) {
            installNext();
            return true;
        }
        Files.deleteIfExists(next(ca));
        Files.deleteIfExists(next(privateKey));
        return false;
    }

    private static void stageNext(Path file, String pem, boolean secret) throws IOException {
        Path tmp = Pem.stage(file, pem, secret);
        try {
            Files.move(tmp, next(file), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Renames each staged file over its file in use: the CA, the key, the certificate last. */
    private void installNext() throws IOException {
        for (Path p : new Path[] {ca, privateKey, certificate}) {
            if (Files.exists(next(p))) {
                Files.move(next(p), p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static Path next(Path file) {
        return file.resolveSibling(file.getFileName() + ".next");
    }

    /**
     * The key pair for an enrollment with the join token {@code tokenId}: the one a previous
     * enrollment with that token left in {@link #pendingKey()} (its request reached the tracker,
     * the answer did not: the tracker gives the certificate it issued for that key again), else a
     * new one, written there first ({@code 0600}, synced), so that a lost answer can be retried
     * with the same token. A key made for another token is never reused (a machine imaged after a
     * failed join must not share its key with its clones). {@link #store} removes it.
     */
    public KeyPair enrollmentKeys(String tokenId) throws IOException {
        Path pending = pendingKey();
        String mark = "# join token " + tokenId + "\n";
        if (Files.exists(pending)) {
            String text = Files.readString(pending, StandardCharsets.US_ASCII);
            if (text.startsWith(mark)) {
                return Pem.parseKeyPair(text.substring(mark.length()), pending);
            }
        }
        KeyPair keys = CertificateRequests.newKeyPair();
        Pem.createPrivateDirectory(pending.toAbsolutePath().getParent());
        Pem.writeSecret(pending, mark + Pem.privateKey(keys.getPrivate()) + Pem.publicKey(keys.getPublic()));
        return keys;
    }

    /** Where {@link #enrollmentKeys} keeps the key of an enrollment until its certificate is stored: {@code NAME.key.pending}. */
    public Path pendingKey() {
        return privateKey.resolveSibling(privateKey.getFileName() + ".pending");
    }

    /** The first certificate in {@link #certificate()}. */
    public X509Certificate readCertificate() throws IOException {
        return Pem.readCertificate(certificate);
    }

    /**
     * The certificate in {@link #ca()}, once all three files are found readable: a missing file is
     * named, the certificate first, as {@link TlsContexts} does.
     */
    public X509Certificate readCa() throws IOException {
        for (Path p : new Path[] {certificate, privateKey, ca}) {
            if (!Files.isReadable(p)) {
                throw new IOException("cannot read " + p + " (certificate, key or CA file)");
            }
        }
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
