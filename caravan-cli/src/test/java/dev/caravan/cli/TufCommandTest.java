package dev.caravan.cli;

import static dev.caravan.cli.PublishAndGetTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.agent.demo.SyntheticRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The auditor's {@code caravan tuf} commands: exit 0 on success, 1 with a one-line reason otherwise. */
class TufCommandTest {
    @TempDir
    Path tmp;

    Path repo;
    Path meta;

    @BeforeEach
    void publish() throws Exception {
        Path keys = tmp.resolve("keys");
        repo = tmp.resolve("repo");
        meta = tmp.resolve("client");
        Path source = tmp.resolve("source");
        new SyntheticRelease(1 << 20, 5, 11).writeTo(source);
        ok(Cli.run("keys", "init", "--keys", keys, "--repo", repo));
        ok(Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "3.1", source));
        ok(Cli.run("tuf", "init", "--metadata-dir", meta, repo.resolve("metadata/1.root.json")));
    }

    @Test
    void downloadsAVerifiedTargetFromAFileUrl() throws Exception {
        Path targets = tmp.resolve("downloaded");
        Cli download = ok(Cli.run("tuf", "download", "--metadata-dir", meta, "--metadata-url", repo.resolve("metadata").toUri(),
                "--target-base-url", repo.resolve("targets").toUri(), "--target-dir", targets, "app-3.1.manifest.json"));

        assertThat(download.out()).contains("verified app-3.1.manifest.json");
        assertThat(Files.readString(targets.resolve("app-3.1.manifest.json"))).contains("\"product\":\"app\"");
    }

    @Test
    void anExpiredTimestampFailsWithOneLineAndExitStatusOne() {
        Cli refresh = Cli.run("tuf", "refresh", "--metadata-dir", meta, "--metadata-url", repo.resolve("metadata").toUri(),
                "--now=2030-01-01T00:00:00Z");

        assertThat(refresh.exitCode()).isEqualTo(1);
        assertThat(refresh.err().strip()).doesNotContain("\n").contains("expired");
    }

    @Test
    void anUnknownTargetFailsNamingIt() {
        Cli download = Cli.run("tuf", "download", "--metadata-dir", meta, "--metadata-url", repo.resolve("metadata").toUri(),
                "--target-base-url", repo.resolve("targets").toUri(), "--target-dir", tmp.resolve("t"), "nope.json");

        assertThat(download.exitCode()).isEqualTo(1);
        assertThat(download.err()).contains("nope.json");
    }

    @Test
    void aUsageErrorAlsoExitsWithOne() {
        Cli bad = Cli.run("tuf", "refresh", "--metadata-dir", meta);

        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("--metadata-url");
    }
}
