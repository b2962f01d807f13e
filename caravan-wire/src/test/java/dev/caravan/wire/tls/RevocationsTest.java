package dev.caravan.wire.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The revocation list as a process takes it: only from the CA, only forwards. */
class RevocationsTest {
    @TempDir
    Path dir;

    @Test
    void aNewerListIsTakenAndAnOlderOneReplayedCannotUnrevoke() throws Exception {
        Path ca = dir.resolve("ca");
        X509Certificate caCert = CertificateAuthority.init(ca);
        IssuedCertificate pc1 = CertificateAuthority.issue(ca, "pc1", Role.AGENT, dir.resolve("out"), CertificateAuthority.DEFAULT_VALIDITY);
        byte[] empty = RevocationList.readDer(ca.resolve(RevocationList.FILE));
        Revocations revocations = new Revocations(caCert);
        int[] changes = {0};
        revocations.onChange(() -> changes[0]++);

        assertThat(revocations.update(empty)).isTrue();
        RevocationList.Revoked r = RevocationList.revoke(ca, "pc1", Instant.now());
        assertThat(r.serials()).containsExactly(pc1.serial());
        assertThat(revocations.update(RevocationList.readDer(ca.resolve(RevocationList.FILE)))).isTrue();
        assertThat(revocations.isRevoked(pc1.serial())).isTrue();

        assertThat(revocations.update(empty)).as("list number 0 after number 1").isFalse();
        assertThat(revocations.isRevoked(pc1.serial())).isTrue();
        assertThat(revocations.number()).isEqualTo(java.math.BigInteger.ONE);
        assertThat(changes[0]).isEqualTo(2);
    }

    @Test
    void aListFromAnotherCaOrAlteredIsRefused() throws Exception {
        Path ca = dir.resolve("ca");
        X509Certificate caCert = CertificateAuthority.init(ca);
        Path other = dir.resolve("other");
        CertificateAuthority.init(other);
        Revocations revocations = new Revocations(caCert);

        assertThatThrownBy(() -> revocations.update(RevocationList.readDer(other.resolve(RevocationList.FILE))))
                .isInstanceOf(RevocationListException.class).hasMessageContaining("not by the deployment's CA");
        byte[] altered = RevocationList.readDer(ca.resolve(RevocationList.FILE));
        altered[altered.length - 5] ^= 1; // inside the signature
        assertThatThrownBy(() -> revocations.update(altered)).isInstanceOf(RevocationListException.class);
        assertThat(revocations.number()).isEqualTo(java.math.BigInteger.valueOf(-1));
    }

    @Test
    void revokeTakesASerialAndRefusesWhatIssuedLogDoesNotKnow() throws Exception {
        Path ca = dir.resolve("ca");
        CertificateAuthority.init(ca);
        IssuedCertificate pc1 = CertificateAuthority.issue(ca, "pc1", Role.AGENT, dir.resolve("out"), CertificateAuthority.DEFAULT_VALIDITY);

        assertThat(RevocationList.revoke(ca, pc1.serial().toString(16), Instant.now()).names()).containsExactly("pc1");
        assertThatThrownBy(() -> RevocationList.revoke(ca, "pc2", Instant.now()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no certificate named or numbered \"pc2\"");
    }
}
