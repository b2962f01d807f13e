package dev.caravan.wire.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key a joining machine keeps until its certificate is stored, so that a lost answer can be retried. */
class EnrollmentKeysTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private static final String OTHER_TOKEN = "fedcba9876543210fedcba9876543210";

    @TempDir
    Path dir;

    @Test
    void aRetryWithTheSameTokenSendsTheSameKeyKeptOwnerOnly() throws Exception {
        KeyPair first = TlsFiles.in(dir.resolve("tls"), "pc1").enrollmentKeys(TOKEN);

        TlsFiles again = TlsFiles.in(dir.resolve("tls"), "pc1"); // as a restarted `caravan agent --join` sees them
        KeyPair retried = again.enrollmentKeys(TOKEN);

        assertThat(retried.getPublic()).isEqualTo(first.getPublic());
        assertThat(retried.getPrivate().getEncoded()).isEqualTo(first.getPrivate().getEncoded());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(again.pendingKey()))).isEqualTo("rw-------");
        assertThat(again.pendingKey().getFileName()).hasToString("pc1.key.pending");
    }

    @Test
    void aKeyMadeForAnotherTokenIsNeverReused() throws Exception {
        TlsFiles files = TlsFiles.in(dir.resolve("tls"), "pc1");
        KeyPair first = files.enrollmentKeys(TOKEN);

        KeyPair other = files.enrollmentKeys(OTHER_TOKEN);

        assertThat(other.getPublic()).isNotEqualTo(first.getPublic());
        assertThat(files.enrollmentKeys(OTHER_TOKEN).getPublic()).isEqualTo(other.getPublic());
    }

    @Test
    void aDamagedPendingKeyIsNamedWithWhatToDo() throws Exception {
        TlsFiles files = TlsFiles.in(dir.resolve("tls"), "pc1");
        files.enrollmentKeys(TOKEN);
        String text = Files.readString(files.pendingKey());
        Files.writeString(files.pendingKey(), text.substring(0, text.length() / 2));

        assertThatThrownBy(() -> files.enrollmentKeys(TOKEN))
                .isInstanceOf(IOException.class)
                .hasMessage(files.pendingKey() + " is not a PEM private key followed by its public key; remove it to make a new key");
    }

    @Test
    void aPrivateKeyBesideAPublicKeyOfAnotherPairIsRefused() throws Exception {
        TlsFiles files = TlsFiles.in(dir.resolve("tls"), "pc1");
        files.enrollmentKeys(TOKEN);
        String text = Files.readString(files.pendingKey());
        String foreignPublic = Pem.publicKey(CertificateRequests.newKeyPair().getPublic());
        Files.writeString(files.pendingKey(), text.substring(0, text.indexOf("-----BEGIN PUBLIC KEY-----")) + foreignPublic);

        assertThatThrownBy(() -> files.enrollmentKeys(TOKEN))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("remove it to make a new key");
    }
}
