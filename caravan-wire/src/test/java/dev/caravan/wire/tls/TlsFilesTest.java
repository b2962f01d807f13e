package dev.caravan.wire.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A renewal killed between its renames: the key and the certificate in use must still belong
 * together once the agent starts again. The states below are what {@link TlsFiles#store} leaves on
 * disk at each point a crash can stop it.
 */
class TlsFilesTest {
    @TempDir
    Path dir;

    private Path caDir;
    private TlsFiles inUse;
    private TlsFiles renewed;

    @BeforeEach
    void twoCertificatesForOneMachine() throws Exception {
        caDir = dir.resolve("ca");
        CertificateAuthority.init(caDir);
        CertificateAuthority.issue(caDir, "pc1", Role.AGENT, dir.resolve("tls"), Duration.ofDays(1));
        CertificateAuthority.issue(caDir, "pc1", Role.AGENT, dir.resolve("renewed"), Duration.ofDays(2));
        inUse = TlsFiles.in(dir.resolve("tls"), "pc1");
        renewed = TlsFiles.in(dir.resolve("renewed"), "pc1");
    }

    @Test
    void aStoreKilledAfterTheKeyWasRenamedIsFinishedAtTheNextStart() throws Exception {
        // The new key is in place; the new certificate is staged beside the old one.
        Files.copy(renewed.privateKey(), inUse.privateKey(), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(renewed.certificate(), next(inUse.certificate()));
        assertThat(belongTogether(inUse)).as("before the fix-up: the new key beside the old certificate").isFalse();

        assertThat(inUse.finishInterruptedStore()).isTrue();

        assertThat(belongTogether(inUse)).isTrue();
        assertThat(inUse.readCertificate()).isEqualTo(renewed.readCertificate());
        assertThat(next(inUse.certificate())).doesNotExist();
    }

    @Test
    void aStoreKilledBeforeTheCertificateWasStagedIsDroppedAndTheOldPairKept() throws Exception {
        X509Certificate old = inUse.readCertificate();
        Files.copy(renewed.privateKey(), next(inUse.privateKey()));

        assertThat(inUse.finishInterruptedStore()).isFalse();

        assertThat(inUse.readCertificate()).isEqualTo(old);
        assertThat(belongTogether(inUse)).isTrue();
        assertThat(next(inUse.privateKey())).doesNotExist();
    }

    private static Path next(Path file) {
        return file.resolveSibling(file.getFileName() + ".next");
    }

    /** Whether the private key signs what the certificate's public key verifies. */
    private static boolean belongTogether(TlsFiles files) throws Exception {
        PrivateKey key = Pem.readPrivateKey(files.privateKey());
        byte[] message = "caravan".getBytes();
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(key);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(files.readCertificate().getPublicKey());
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
