package dev.caravan.cli;

import static dev.caravan.cli.PublishAndGetTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.agent.demo.SyntheticRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The auditor's {@code caravan tuf} commands: exit 0 on success, 1 with a one-line reason otherwise. */
class TufCommandTest {
    @TempDir
    Path tmp;

    Path keys;
    Path repo;
    Path meta;

    @BeforeEach
    void publish() throws Exception {
        keys = tmp.resolve("keys");
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
    void downloadJudgesExpiryAtTheInstantGivenToo() throws Exception {
        Object[] download = {"tuf", "download", "--metadata-dir", meta, "--metadata-url", repo.resolve("metadata").toUri(),
                "--target-base-url", repo.resolve("targets").toUri(), "--target-dir", tmp.resolve("t"), "app-3.1.manifest.json"};

        Cli later = Cli.run(append(download, "--now=" + Instant.now().plus(Duration.ofDays(3)))); // timestamps last a day
        assertThat(later.exitCode()).isEqualTo(1);
        assertThat(later.err().strip()).doesNotContain("\n").contains("timestamp.json", "expired");
        assertThat(tmp.resolve("t/app-3.1.manifest.json")).doesNotExist();

        ok(Cli.run(append(download, "--now=" + Instant.now().plus(Duration.ofHours(12)))));
        assertThat(tmp.resolve("t/app-3.1.manifest.json")).exists();
    }

    @Test
    void keysRotateAndTimestampFromTheCommandLineAreFollowedByTheClient() throws Exception {
        Cli rotate = ok(Cli.run("keys", "rotate", "--keys", keys, "--repo", repo, "timestamp"));
        assertThat(rotate.out()).contains("rotated timestamp keys; wrote root version 2");
        Cli timestamp = ok(Cli.run("timestamp", "--keys", keys, "--repo", repo));
        assertThat(timestamp.out()).contains("caravan timestamp: wrote timestamp version ");

        Cli refresh = ok(Cli.run("tuf", "refresh", "--metadata-dir", meta, "--metadata-url", repo.resolve("metadata").toUri()));

        assertThat(refresh.out()).contains("refreshed: root version 2, 1 targets");
    }

    @Test
    void aRootThresholdOfTwoMakesTwoRootKeysAndARootTheyBothSign() throws Exception {
        Path keys2 = tmp.resolve("keys2");
        Path repo2 = tmp.resolve("repo2");
        ok(Cli.run("keys", "init", "--keys", keys2, "--repo", repo2, "--root-threshold", "2"));

        JsonNode root = new ObjectMapper().readTree(repo2.resolve("metadata/1.root.json").toFile());
        assertThat(root.at("/signed/roles/root/threshold").asInt()).isEqualTo(2);
        assertThat(root.at("/signed/roles/root/keyids")).hasSize(2);
        assertThat(root.get("signatures")).hasSize(2);
        ok(Cli.run("keys", "rotate", "--keys", keys2, "--repo", repo2, "root"));
        JsonNode next = new ObjectMapper().readTree(repo2.resolve("metadata/2.root.json").toFile());
        assertThat(next.get("signatures")).as("the two old root keys and the two new ones").hasSize(4);
    }

    private static Object[] append(Object[] args, Object more) {
        Object[] all = Arrays.copyOf(args, args.length + 1);
        all[args.length] = more;
        return all;
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
