package dev.caravan.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryWriterTest {
    @TempDir
    Path tmp;

    @Test
    void initWritesOwnerOnlyKeysAndASelfSignedFirstRoot() throws Exception {
        TestRepository r = new TestRepository(tmp, RepositoryConfig.defaults(), 3);

        assertThat(fileNames(r.keys)).containsExactlyInAnyOrder(
                "root-1.pem", "root-2.pem", "root-3.pem", "targets.pem", "snapshot.pem", "timestamp.pem");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(r.keys))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(r.keys.resolve("root-1.pem")))).isEqualTo("rw-------");
        assertThat(Files.readString(r.keys.resolve("targets.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(fileNames(r.repo.resolve("metadata"))).containsExactlyInAnyOrder(
                "1.root.json", "root.json", "1.targets.json", "1.snapshot.json", "timestamp.json");
        assertThat(r.read("root.json")).isEqualTo(r.read("1.root.json"));

        JsonNode root = r.signed("1.root.json");
        assertThat(root.get("_type").asText()).isEqualTo("root");
        assertThat(root.get("spec_version").asText()).isEqualTo("1.0.31");
        assertThat(root.get("consistent_snapshot").asBoolean()).isTrue();
        assertThat(root.get("expires").asText()).isEqualTo("2027-01-01T00:00:00Z");
        assertThat(root.at("/roles/root/threshold").asInt()).isEqualTo(3);
        assertThat(root.at("/roles/root/keyids")).hasSize(3);
        assertThat(r.signed("1.targets.json").get("expires").asText()).isEqualTo("2026-04-01T00:00:00Z");
        assertThat(r.signed("1.snapshot.json").get("expires").asText()).isEqualTo("2026-01-08T00:00:00Z");
        assertThat(r.signed("timestamp.json").get("expires").asText()).isEqualTo("2026-01-02T00:00:00Z");

        Envelope env = Envelope.parse("1.root.json", r.read("1.root.json"));
        RootMetadata parsed = RootMetadata.parse("1.root.json", env.signed());
        parsed.verify(Role.ROOT, env);
        assertThat(env.signatures()).hasSize(3);
    }

    @Test
    void initRefusesAnInitializedRepository() {
        TestRepository r = new TestRepository(tmp);
        assertThatThrownBy(() -> r.writer.init(tmp.resolve("other-keys"), r.repo, 1))
                .hasMessageContaining("already has root metadata");
        assertThatThrownBy(() -> r.writer.init(r.keys, tmp.resolve("other-repo"), 1))
                .hasMessageContaining("already holds root keys");
    }

    @Test
    void addTargetsWritesHashNamedFilesAndTheNextVersionsKeepingOldTargets() throws Exception {
        TestRepository r = new TestRepository(tmp);
        PublishResult first = r.publish("app-1.0.manifest.json", "one", "stable");
        PublishResult second = r.publish("app-2.0.manifest.json", "two", "beta");

        assertThat(first.changed()).isTrue();
        assertThat(second.targetsVersion()).isEqualTo(3);
        assertThat(second.snapshotVersion()).isEqualTo(3);
        assertThat(second.timestampVersion()).isEqualTo(3);
        TargetInfo two = second.targetsWritten().get(0);
        assertThat(two.sha256()).isEqualTo(Hashes.hex("SHA-256", "two".getBytes(StandardCharsets.UTF_8)));
        assertThat(Files.readString(RepositoryWriter.targetFile(r.repo, two))).isEqualTo("two");
        assertThat(RepositoryWriter.targets(r.repo)).containsOnlyKeys("app-1.0.manifest.json", "app-2.0.manifest.json");
        assertThat(RepositoryWriter.targets(r.repo).get("app-2.0.manifest.json").custom().get("channel").asText())
                .isEqualTo("beta");
        assertThat(r.signed("3.snapshot.json").at("/meta/targets.json/version").asLong()).isEqualTo(3);
        assertThat(r.signed("timestamp.json").at("/meta/snapshot.json/version").asLong()).isEqualTo(3);
    }

    @Test
    void targetsAndTargetsVersionsOfAKibibyteOrMoreGetAGzipCopyOfTheSameBytes() throws Exception {
        TestRepository r = new TestRepository(tmp);
        String large = "{\"files\":[" + "{\"path\":\"share/doc/file.txt\",\"size\":1234},".repeat(200) + "{}]}";
        r.publish("small-1.0.manifest.json", "tiny", "stable");
        PublishResult published = r.publish("large-1.0.manifest.json", large, "stable");

        Path target = RepositoryWriter.targetFile(r.repo, published.targetsWritten().get(0));
        Path copy = target.resolveSibling(target.getFileName() + ".gz");
        assertThat(gunzip(Files.readAllBytes(copy))).isEqualTo(Files.readAllBytes(target));
        assertThat(Files.size(copy)).isLessThan(Files.size(target) / 4);
        Path small = RepositoryWriter.targetFile(r.repo, RepositoryWriter.targets(r.repo).get("small-1.0.manifest.json"));
        assertThat(small.resolveSibling(small.getFileName() + ".gz")).doesNotExist();

        Path metadata = r.repo.resolve("metadata");
        for (int i = 2; i <= 4; i++) {
            r.publish("small-" + i + ".0.manifest.json", "tiny " + i, "stable"); // the list of targets grows past 1 KiB
        }
        assertThat(metadata.resolve("6.targets.json.gz")).exists();
        for (String name : fileNames(metadata)) {
            Path file = metadata.resolve(name);
            boolean copied = name.matches("[0-9]+\\.targets\\.json") && Files.size(file) >= RepositoryWriter.GZIP_MIN_BYTES;
            assertThat(metadata.resolve(name + ".gz").toFile().exists()).as(name).isEqualTo(copied);
            if (copied) {
                assertThat(gunzip(Files.readAllBytes(metadata.resolve(name + ".gz")))).isEqualTo(Files.readAllBytes(file));
            }
        }
    }

    @Test
    void aCopyLeftByAPublishCutShortDoesNotOutliveItsFile() throws Exception {
        TestRepository r = new TestRepository(tmp);
        // A publish that died after writing 2.targets.json and its copy, before the snapshot listed it.
        Path stale = r.repo.resolve("metadata/2.targets.json.gz");
        Files.write(stale, new byte[] {31, -117, 8, 0});
        r.publish("small-1.0.manifest.json", "tiny", "stable"); // writes 2.targets.json again, under 1 KiB

        assertThat(Files.size(r.repo.resolve("metadata/2.targets.json"))).isLessThan(RepositoryWriter.GZIP_MIN_BYTES);
        assertThat(stale).doesNotExist();
    }

    private static byte[] gunzip(byte[] bytes) throws java.io.IOException {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }

    @Test
    void publishingTheSameTargetAgainWritesNothing() throws Exception {
        TestRepository r = new TestRepository(tmp);
        r.publish("a.json", "same", "stable");
        byte[] timestamp = r.read("timestamp.json");
        PublishResult again = r.publish("a.json", "same", "stable");

        assertThat(again.changed()).isFalse();
        assertThat(again.targetsVersion()).isEqualTo(2);
        assertThat(r.read("timestamp.json")).isEqualTo(timestamp);
    }

    @Test
    void targetNamesAreplainFileNames() {
        TestRepository r = new TestRepository(tmp);
        for (String bad : new String[] {"../evil", "a/b", "..", ".", "", "x\ny"}) {
            assertThatThrownBy(() -> r.publish(bad, "x", "stable"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad target name");
        }
    }

    @Test
    void resignTimestampWritesANewVersionWithAFreshExpiry() throws Exception {
        TestRepository r = new TestRepository(tmp);
        r.clock.advance(java.time.Duration.ofHours(20));
        PublishResult res = r.writer.resignTimestamp(r.keys, r.repo);

        assertThat(res.timestampVersion()).isEqualTo(2);
        assertThat(res.snapshotVersion()).isEqualTo(1);
        assertThat(r.signed("timestamp.json").get("expires").asText()).isEqualTo("2026-01-02T20:00:00Z");
    }

    @Test
    void aKeysFolderInsideTheRepositoryIsRefused() {
        RepositoryWriter writer = new RepositoryWriter(RepositoryConfig.defaults(), java.time.Clock.systemUTC());
        assertThatThrownBy(() -> writer.init(tmp.resolve("repo/keys"), tmp.resolve("repo"), 1))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("must be apart");
        assertThat(tmp.resolve("repo")).doesNotExist();
    }

    @Test
    void resignTimestampRenewsSnapshotAndTargetsBeforeTheyExpireSoThatCronAloneKeepsClientsGoing() throws Exception {
        TestRepository r = new TestRepository(tmp);
        r.clock.advance(java.time.Duration.ofDays(4)); // more than half of the snapshot's 7 days
        PublishResult snapshotRenewed = r.writer.resignTimestamp(r.keys, r.repo);
        assertThat(snapshotRenewed.snapshotVersion()).isEqualTo(2);
        assertThat(snapshotRenewed.targetsVersion()).isEqualTo(1);

        r.clock.advance(java.time.Duration.ofDays(42)); // day 46: more than half of the targets' 90 days
        PublishResult targetsRenewed = r.writer.resignTimestamp(r.keys, r.repo);
        assertThat(targetsRenewed.targetsVersion()).isEqualTo(2);
        assertThat(targetsRenewed.snapshotVersion()).isEqualTo(3);
        assertThat(r.signed("2.targets.json").get("expires").asText()).isEqualTo("2026-05-17T00:00:00Z");
    }

    @Test
    void rotatingRootSignsTheNextRootWithOldAndNewKeysAndRetiresTheOldOnes() throws Exception {
        TestRepository r = new TestRepository(tmp);
        String oldKeyid = r.keysOf(Role.ROOT).get(0).keyid();
        PublishResult res = r.writer.rotate(r.keys, r.repo, Role.ROOT, 2);

        assertThat(res.rootVersion()).isEqualTo(2);
        Envelope env = Envelope.parse("2.root.json", r.read("2.root.json"));
        RootMetadata v1 = RootMetadata.parse("1.root.json", r.signed("1.root.json"));
        RootMetadata v2 = RootMetadata.parse("2.root.json", env.signed());
        v1.verify(Role.ROOT, env);
        v2.verify(Role.ROOT, env);
        assertThat(v2.role(Role.ROOT).threshold()).isEqualTo(2);
        assertThat(v2.role(Role.ROOT).keyids()).doesNotContain(oldKeyid);
        assertThat(v2.keys()).doesNotContainKey(oldKeyid);
        assertThat(r.keysOf(Role.ROOT)).hasSize(2);
        assertThat(r.keys.resolve("retired/root-v2/root-1.pem")).exists();
        assertThat(r.read("root.json")).isEqualTo(r.read("2.root.json"));
    }

    @Test
    void rotatingTargetsKeysResignsTargetsSnapshotAndTimestamp() throws Exception {
        TestRepository r = new TestRepository(tmp);
        r.publish("a.json", "x", "stable");
        PublishResult res = r.writer.rotate(r.keys, r.repo, Role.TARGETS);

        assertThat(res.rootVersion()).isEqualTo(2);
        assertThat(res.targetsVersion()).isEqualTo(3);
        RootMetadata v2 = RootMetadata.parse("2.root.json", r.signed("2.root.json"));
        Envelope targets = Envelope.parse("3.targets.json", r.read("3.targets.json"));
        v2.verify(Role.TARGETS, targets);
        assertThat(RepositoryWriter.targets(r.repo)).containsOnlyKeys("a.json");
        assertThat(fileNames(r.keys)).contains("targets.pem").doesNotContain(".staged-targets");
    }

    @Test
    void addTargetsFailsClearlyWithoutTheKeys() throws Exception {
        TestRepository r = new TestRepository(tmp);
        Files.delete(r.keys.resolve("targets.pem"));
        assertThatThrownBy(() -> r.writer.addTargets(r.keys, r.repo,
                Map.of("a", new NewTarget(new byte[] {1}, JsonNodeFactory.instance.objectNode()))))
                .isInstanceOf(TufException.class)
                .hasMessageContaining("holds 0 of the targets keys that root version 1 lists; 1 needed");
    }

    @Test
    void aRotationInterruptedAfterTheNewRootIsFinishedByTheNextOperation() throws Exception {
        TestRepository r = new TestRepository(tmp);
        r.publish("a.json", "x", "stable");
        byte[] oldTimestamp = r.read("timestamp.json");
        r.writer.rotate(r.keys, r.repo, Role.SNAPSHOT);
        // Put the folders back as a crash right after writing 2.root.json would have left them.
        r.write("timestamp.json", oldTimestamp);
        Files.delete(r.meta("3.snapshot.json"));
        Files.createDirectories(r.keys.resolve(".staged-snapshot"));
        Files.move(r.keys.resolve("snapshot.pem"), r.keys.resolve(".staged-snapshot/snapshot.pem"));
        Files.move(r.keys.resolve("retired/root-v2/snapshot.pem"), r.keys.resolve("snapshot.pem"));
        assertThatThrownBy(r.client()::refresh)
                .isInstanceOf(TufException.BadSignature.class)
                .hasMessage("2.snapshot.json has 0 valid signatures from the snapshot role's keys, 1 required (threshold)");

        PublishResult res = r.writer.resignTimestamp(r.keys, r.repo);

        assertThat(res.snapshotVersion()).isEqualTo(3);
        assertThat(res.timestampVersion()).isEqualTo(4);
        assertThat(r.keys.resolve(".staged-snapshot")).doesNotExist();
        r.client().refresh();
    }

    @Test
    void keysStagedForARootThatWasNeverWrittenAreDropped() throws Exception {
        TestRepository r = new TestRepository(tmp);
        String timestampKey = r.keysOf(Role.TIMESTAMP).get(0).keyid();
        KeysFolder.write(r.keys.resolve(".staged-timestamp"), Role.TIMESTAMP, java.util.List.of(SigningKey.generate(KeyType.ED25519)));

        r.writer.resignTimestamp(r.keys, r.repo);

        assertThat(r.keys.resolve(".staged-timestamp")).doesNotExist();
        assertThat(r.keysOf(Role.TIMESTAMP)).extracting(SigningKey::keyid).containsExactly(timestampKey);
    }

    private static java.util.List<String> fileNames(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
