package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.wire.tls.CertificateAuthority;
import dev.caravan.wire.tls.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code caravan agent} says about a bad config or flag: one line naming it, exit 1, nothing started. */
class AgentCommandConfigTest {
    @TempDir
    Path tmp;

    Path certs;

    @BeforeEach
    void issueCertificates() throws Exception {
        Path ca = tmp.resolve("ca");
        certs = tmp.resolve("certs");
        CertificateAuthority.init(ca);
        CertificateAuthority.issue(ca, "pc7", Role.AGENT, certs, CertificateAuthority.DEFAULT_VALIDITY);
        CertificateAuthority.issue(ca, "tracker", Role.TRACKER, certs, CertificateAuthority.DEFAULT_VALIDITY);
        Files.writeString(tmp.resolve("1.root.json"), "{}");
    }

    private Path config(String certificate, String extra) throws Exception {
        return Files.writeString(tmp.resolve("agent.toml"), """
                [tracker]
                url = "https://127.0.0.1:7443"
                [origin]
                url = "http://127.0.0.1:8080"
                [trust]
                root = "1.root.json"
                [tls]
                certificate = "certs/%s.crt"
                key = "certs/%s.key"
                ca = "certs/ca.crt"
                [follow]
                product = "myapp"
                install_dir = "install"
                """.formatted(certificate, certificate) + extra);
    }

    @Test
    void anUnknownKeyIsNamedWithTheKeyItProbablyMeant() throws Exception {
        Path file = config("pc7", "[limits]\nuplod_rate = \"10MB\"\n");

        Cli agent = Cli.run("agent", "--config", file);

        assertThat(agent.exitCode()).isEqualTo(1);
        assertThat(agent.err()).isEqualTo("caravan agent: " + file
                + ": unknown key limits.uplod_rate; did you mean limits.upload_rate?" + System.lineSeparator());
    }

    @Test
    void aBadFlagValueIsNamedAsTheFlag() throws Exception {
        Path file = config("pc7", "");

        Cli rate = Cli.run("agent", "--config", file, "--upload-rate", "10");
        assertThat(rate.exitCode()).isEqualTo(1);
        assertThat(rate.err()).startsWith("caravan agent: --upload-rate 10: is below 1KiB/s; did you forget a unit?")
                .hasLineCount(1);

        Cli group = Cli.run("agent", "--config", file, "--group", "Branch 12");
        assertThat(group.exitCode()).isEqualTo(1);
        assertThat(group.err()).startsWith("caravan agent: --group Branch 12: a group is 1 to 64 characters");

        Cli listen = Cli.run("agent", "--config", file, "--listen", "nohost");
        assertThat(listen.exitCode()).isEqualTo(1);
        assertThat(listen.err()).startsWith("caravan agent: Invalid value for option '--listen': expected HOST:PORT")
                .endsWith("(see --help)" + System.lineSeparator());
    }

    @Test
    void aMissingFileIsNamedByItsKey() throws Exception {
        Path file = config("pc7", "");
        Files.delete(certs.resolve("pc7.key"));

        Cli agent = Cli.run("agent", "--config", file);

        assertThat(agent.exitCode()).isEqualTo(1);
        assertThat(agent.err()).contains("tls.key = \"" + certs.resolve("pc7.key") + "\": no such file").hasLineCount(1);
    }

    @Test
    void aTrackersCertificateIsRefusedSayingWhichOneAnAgentNeeds() throws Exception {
        Cli agent = Cli.run("agent", "--config", config("tracker", ""));

        assertThat(agent.exitCode()).isEqualTo(1);
        assertThat(agent.err()).isEqualTo("caravan agent: tls.certificate " + certs.resolve("tracker.crt")
                + " is a tracker certificate; an agent needs one from `caravan ca issue --role agent`"
                + System.lineSeparator());
        assertThat(tmp.resolve("install")).doesNotExist();
    }
}
