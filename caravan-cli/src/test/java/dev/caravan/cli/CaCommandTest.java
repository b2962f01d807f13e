package dev.caravan.cli;

import static dev.caravan.cli.PublishAndGetTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaCommandTest {
    @TempDir
    Path tmp;

    @Test
    void makesACaAndIssuesAnAgentCertificateWithAPrivateKey() throws Exception {
        Path ca = tmp.resolve("ca");
        Path out = tmp.resolve("agent-1");
        ok(Cli.run("ca", "init", "--dir", ca));
        Cli issue = ok(Cli.run("ca", "issue", "--dir", ca, "--name", "agent-1", "--role", "agent", "--ip", "10.0.0.7",
                "--out", out));

        assertThat(issue.out()).contains("issued agent certificate for agent-1");
        assertThat(out.resolve("agent-1.crt")).exists();
        assertThat(out.resolve("ca.crt")).hasSameBinaryContentAs(ca.resolve("ca.crt"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("agent-1.key"))))
                .isEqualTo("rw-------");
    }

    @Test
    void refusesToOverwriteACaAndABadRoleOrAddress() {
        Path ca = tmp.resolve("ca");
        ok(Cli.run("ca", "init", "--dir", ca));
        assertThat(Cli.run("ca", "init", "--dir", ca).exitCode()).isEqualTo(1);

        Cli role = Cli.run("ca", "issue", "--dir", ca, "--name", "x", "--role", "admin", "--out", tmp.resolve("x"));
        assertThat(role.exitCode()).isEqualTo(1);
        assertThat(role.err()).contains("admin");
        Cli ip = Cli.run("ca", "issue", "--dir", ca, "--name", "x", "--role", "agent", "--ip", "example.com",
                "--out", tmp.resolve("x"));
        assertThat(ip.exitCode()).isEqualTo(1);
        assertThat(ip.err()).contains("--ip takes an IP address");
    }
}
