package dev.caravan.wire.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
    @TempDir
    Path dir;

    @Test
    void initMakesAPrivateCaFolderWithAP256CaCertificate() throws Exception {
        Path ca = dir.resolve("ca");
        X509Certificate cert = CertificateAuthority.init(ca);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ca))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ca.resolve("ca.key")))).isEqualTo("rw-------");
        assertThat(Files.readString(ca.resolve("ca.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Pem.readCertificate(ca.resolve("ca.crt"))).isEqualTo(cert);
        assertThat(cert.getBasicConstraints()).isZero(); // CA:true, pathlen 0
        assertThat(cert.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(cert.getKeyUsage()[6]).as("cRLSign").isTrue();
        assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isFalse();
        assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(cert.getVersion()).isEqualTo(3);
        assertThat(cert.getSerialNumber().bitLength()).isBetween(100, 128);
        assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()))
                .isEqualTo(CertificateAuthority.CA_VALIDITY.plus(CertificateAuthority.BACKDATE));
        cert.verify(cert.getPublicKey());
    }

    @Test
    void initRefusesToOverwriteACa() throws Exception {
        Path ca = dir.resolve("ca");
        CertificateAuthority.init(ca);
        String key = Files.readString(ca.resolve("ca.key"));
        assertThatThrownBy(() -> CertificateAuthority.init(ca))
                .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("refusing to overwrite");
        assertThat(Files.readString(ca.resolve("ca.key"))).isEqualTo(key);
    }

    @Test
    void initRefusesAFolderOthersCanRead() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThatThrownBy(() -> CertificateAuthority.init(open))
                .hasMessageContaining("is open to others (rwxr-xr-x)");
        assertThat(open).isEmptyDirectory();
    }

    @Test
    void issueWritesAKeyACertificateAndTheCaAndRecordsTheSerial() throws Exception {
        Path ca = dir.resolve("ca");
        X509Certificate caCert = CertificateAuthority.init(ca);
        Path out = dir.resolve("agent");
        IssuedCertificate issued = CertificateAuthority.issue(ca, "agent-042", Role.AGENT,
                List.of(InetAddress.getByName("10.0.0.42")), out, CertificateAuthority.DEFAULT_VALIDITY);

        X509Certificate cert = Pem.readCertificate(issued.files().certificate());
        cert.verify(caCert.getPublicKey());
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=agent-042,OU=agent,O=caravan");
        assertThat(cert.getIssuerX500Principal()).isEqualTo(caCert.getSubjectX500Principal());
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(cert.getSubjectAlternativeNames()).containsExactly(List.of(2, "agent-042"), List.of(7, "10.0.0.42"));
        assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()))
                .isEqualTo(Duration.ofDays(30).plus(CertificateAuthority.BACKDATE));
        assertThat(PeerIdentity.of(cert)).isEqualTo(new PeerIdentity("agent-042", Role.AGENT, issued.serial(), issued.notAfter()));

        assertThat(out.resolve("agent-042.key")).isEqualTo(issued.files().privateKey());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("agent-042.key")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rwx------");
        assertThat(Files.readString(out.resolve("ca.crt"))).isEqualTo(Files.readString(ca.resolve("ca.crt")));
        assertThat(Files.readAllLines(ca.resolve("issued.log"))).singleElement().satisfies(line ->
                assertThat(line.split("\t")).hasSize(6)
                        .contains(issued.serial().toString(16), "agent", "agent-042", issued.notAfter().toString()));
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("agent-042.key", "agent-042.crt", "ca.crt");
        }
    }

    @Test
    void issuingIntoTheCaFolderKeepsTheCaAndReissuingRenews() throws Exception {
        Path ca = dir.resolve("ca");
        CertificateAuthority.init(ca);
        String caCert = Files.readString(ca.resolve("ca.crt"));
        IssuedCertificate first = CertificateAuthority.issue(ca, "tracker", Role.TRACKER, ca, Duration.ofDays(1));
        IssuedCertificate second = CertificateAuthority.issue(ca, "tracker", Role.TRACKER, ca, Duration.ofDays(1));
        assertThat(Files.readString(ca.resolve("ca.crt"))).isEqualTo(caCert);
        assertThat(second.serial()).isNotEqualTo(first.serial());
        assertThat(Pem.readCertificate(second.files().certificate()).getSerialNumber()).isEqualTo(second.serial());
        assertThat(Files.readAllLines(ca.resolve("issued.log"))).hasSize(2);
    }

    @Test
    void badNamesAndValiditiesAreRefusedNamingTheValue() throws Exception {
        Path ca = dir.resolve("ca");
        CertificateAuthority.init(ca);
        for (String bad : new String[] {"", "ca", "Agent", "-a", "a-", "a..b", "../x", "a/b", "a b", "a".repeat(64)}) {
            assertThatThrownBy(() -> CertificateAuthority.issue(ca, bad, Role.AGENT, dir.resolve("out"), Duration.ofDays(1)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("got \"" + bad + "\"");
        }
        assertThat(CertificateAuthority.requireName("agent-1.paris.example.org")).isEqualTo("agent-1.paris.example.org");
        assertThatThrownBy(() -> CertificateAuthority.issue(ca, "a", Role.AGENT, dir.resolve("out"), Duration.ZERO))
                .hasMessage("validity must be positive, got PT0S");
        assertThatThrownBy(() -> CertificateAuthority.issue(ca, "a", Role.AGENT, dir.resolve("out"), Duration.ofDays(4000)))
                .hasMessageContaining("would outlive the CA's");
        assertThat(dir.resolve("out")).doesNotExist();
        assertThat(ca.resolve("issued.log")).doesNotExist();
    }

    @Test
    void rolesParseFromTheirLabels() {
        assertThat(Role.parse("tracker")).isEqualTo(Role.TRACKER);
        assertThatThrownBy(() -> Role.parse("Agent")).hasMessage("a role is \"agent\" or \"tracker\", got \"Agent\"");
    }
}
