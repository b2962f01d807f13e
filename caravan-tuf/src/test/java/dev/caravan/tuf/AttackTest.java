package dev.caravan.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each attack of tuf-spec 1.5.2 against a real repository on disk, and the one-line message the
 * client rejects it with.
 */
class AttackTest {
    @TempDir
    Path tmp;
    TestRepository r;
    TufClient client;

    @BeforeEach
    void publishOneTarget() throws Exception {
        r = new TestRepository(tmp);
        r.publish("app.json", "v1", "stable");   // targets, snapshot, timestamp v2
        client = r.client();
    }

    @Nested
    class ArbitrarySoftware {
        @Test
        void aTargetWhoseBytesDoNotMatchItsHash() throws Exception {
            client.refresh();
            TargetInfo info = client.getTargetInfo("app.json");
            Files.writeString(RepositoryWriter.targetFile(r.repo, info), "v2");

            assertThatThrownBy(() -> client.downloadTarget(info, r.targetsUrl()))
                    .isInstanceOf(TufException.BadHash.class)
                    .hasMessage("target app.json has sha256 " + Hashes.hex("SHA-256", "v2".getBytes(StandardCharsets.UTF_8))
                            + ", expected " + info.sha256());
        }

        @Test
        void aShorterTarget() throws Exception {
            client.refresh();
            TargetInfo info = client.getTargetInfo("app.json");
            Files.writeString(RepositoryWriter.targetFile(r.repo, info), "v");

            assertThatThrownBy(() -> client.downloadTarget(info, r.targetsUrl()))
                    .isInstanceOf(TufException.BadHash.class)
                    .hasMessage("target app.json has 1 bytes, its metadata lists 2");
        }

        @Test
        void aManifestTargetReplacedInUnsignedTargetsMetadata() throws Exception {
            ObjectNode targets = r.signed("2.targets.json");
            ((ObjectNode) targets.at("/targets/app.json/hashes")).put("sha256", "00".repeat(32));
            r.write("2.targets.json", Envelope.sign(targets, java.util.List.of(SigningKey.generate(KeyType.ED25519))));

            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.BadHash.class)
                    .hasMessageStartingWith("2.targets.json (as listed in snapshot.json) has sha256 ");
        }

        @Test
        void metadataSignedByTheAttackersOwnKey() throws Exception {
            r.write("timestamp.json", Envelope.sign(r.signed("timestamp.json"),
                    java.util.List.of(SigningKey.generate(KeyType.ED25519))));

            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.BadSignature.class)
                    .hasMessage("timestamp.json has 0 valid signatures from the timestamp role's keys, 1 required (threshold)");
        }
    }

    @Nested
    class Rollback {
        @Test
        void anOlderTimestamp() throws Exception {
            byte[] v2 = r.read("timestamp.json");
            r.publish("b.json", "b", "stable");
            client.refresh();
            r.write("timestamp.json", v2);

            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.Rollback.class)
                    .hasMessage("timestamp.json version 2 is older than the trusted version 3 (rollback)");
        }

        @Test
        void anOlderSnapshotInPlaceOfTheNewOne() throws Exception {
            client.refresh();
            r.publish("b.json", "b", "stable");
            r.write("3.snapshot.json", r.read("2.snapshot.json"));

            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.BadHash.class)
                    .hasMessage("3.snapshot.json (as listed in timestamp.json) has sha256 "
                            + Hashes.hex("SHA-256", r.read("2.snapshot.json")) + ", expected "
                            + r.signed("timestamp.json").at("/meta/snapshot.json/hashes/sha256").asText());
        }

        @Test
        void aTimestampSignedWithAStolenKeyListingAnOlderSnapshot() throws Exception {
            r.publish("b.json", "b", "stable");   // snapshot v3
            client.refresh();
            ObjectNode ts = r.signed("timestamp.json");
            ts.put("version", r.timestampVersion() + 1);
            ts.putObject("meta").set("snapshot.json", TestRepository.metaFile(2, r.read("2.snapshot.json")));
            r.write("timestamp.json", r.signAs(Role.TIMESTAMP, ts));

            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.Rollback.class)
                    .hasMessage("timestamp.json version 4 lists snapshot.json version 2, older than the trusted 3 (rollback)");
        }

        @Test
        void aSnapshotSignedWithStolenKeysThatNoLongerListsTheTargets() throws Exception {
            client.refresh();
            r.writeSnapshotAndTimestamp(3, JsonNodeFactory.instance.objectNode());

            // Caught before the rollback check of 5.5.5, which names a delegated role left out.
            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.BadFormat.class)
                    .hasMessage("3.snapshot.json \"meta\" does not list targets.json (tuf-spec 4.4: it MUST)");
        }

        @Test
        void aSnapshotSignedWithStolenKeysListingAnOlderTargets() throws Exception {
            r.publish("b.json", "b", "stable");
            client.refresh();
            ObjectNode meta = JsonNodeFactory.instance.objectNode();
            meta.set("targets.json", TestRepository.metaFile(2, r.read("2.targets.json")));
            r.writeSnapshotAndTimestamp(4, meta);

            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.Rollback.class)
                    .hasMessage("4.snapshot.json lists targets.json version 2, older than the trusted version 3 (rollback)");
        }

        @Test
        void anOlderTargetsInPlaceOfTheNewOne() throws Exception {
            client.refresh();
            r.publish("b.json", "b", "stable");
            r.write("3.targets.json", r.read("2.targets.json"));

            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.BadHash.class)
                    .hasMessageStartingWith("3.targets.json has ");
        }

        @Test
        void anOlderTargetsWhenTheSnapshotListsNoHashes() throws Exception {
            client.refresh();
            r.publish("b.json", "b", "stable");
            r.write("3.targets.json", r.read("2.targets.json"));
            ObjectNode meta = JsonNodeFactory.instance.objectNode();
            meta.putObject("targets.json").put("version", 3);
            r.writeSnapshotAndTimestamp(4, meta);

            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.VersionMismatch.class)
                    .hasMessage("3.targets.json has version 2 but snapshot.json lists version 3 (mix-and-match)");
        }

        @Test
        void anOlderRootServedAsTheNextVersion() throws Exception {
            r.writer.rotate(r.keys, r.repo, Role.TIMESTAMP);
            client.refresh();
            r.write("3.root.json", r.read("1.root.json"));

            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.Rollback.class)
                    .hasMessage("3.root.json has version 1, older than the trusted root version 2 (rollback)");
        }
    }

    @Nested
    class FastForwardRecovery {
        @Test
        void afterATimestampKeyRotation() throws Exception {
            client.refresh();
            byte[] genuine = r.read("timestamp.json");
            ObjectNode forged = r.signed("timestamp.json").put("version", 1_000_000);
            r.write("timestamp.json", r.signAs(Role.TIMESTAMP, forged));   // stolen timestamp key
            client.refresh();
            r.write("timestamp.json", genuine);                          // the repository is cleaned up
            r.publish("b.json", "b", "stable");

            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.Rollback.class)
                    .hasMessage("timestamp.json version 3 is older than the trusted version 1000000 (rollback)");

            r.writer.rotate(r.keys, r.repo, Role.TIMESTAMP);               // the recovery: root v2 with a new key
            client.refresh();
            assertThat(client.rootVersion()).isEqualTo(2);
            assertThat(client.getTargetInfo("b.json").length()).isEqualTo(1);
            assertThat(Files.readAllBytes(r.clientDir.resolve("timestamp.json"))).isEqualTo(r.read("timestamp.json"));
        }

        @Test
        void afterASnapshotKeyRotation() throws Exception {
            client.refresh();
            byte[] genuineTimestamp = r.read("timestamp.json");
            ObjectNode meta = JsonNodeFactory.instance.objectNode();
            meta.putObject("targets.json").put("version", 1000);
            ObjectNode snap = r.signed("2.snapshot.json").put("version", 1000);
            snap.set("meta", meta);
            byte[] snapBytes = r.signAs(Role.SNAPSHOT, snap);
            r.write("1000.snapshot.json", snapBytes);
            ObjectNode ts = r.signed("timestamp.json").put("version", 1000);
            ts.putObject("meta").set("snapshot.json", TestRepository.metaFile(1000, snapBytes));
            r.write("timestamp.json", r.signAs(Role.TIMESTAMP, ts));
            assertThatThrownBy(client::refresh).hasMessageContaining("1000.targets.json is not on the repository");
            r.write("timestamp.json", genuineTimestamp);
            r.publish("b.json", "b", "stable");
            assertThatThrownBy(client::refresh).isInstanceOf(TufException.Rollback.class);

            r.writer.rotate(r.keys, r.repo, Role.SNAPSHOT);
            r.writer.rotate(r.keys, r.repo, Role.TIMESTAMP);
            client.refresh();
            assertThat(client.getTargetInfo("b.json").length()).isEqualTo(1);
        }
    }

    @Nested
    class IndefiniteFreeze {
        @Test
        void anExpiredTimestamp() throws Exception {
            r.clock.advance(Duration.ofDays(2));
            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.Expired.class)
                    .hasMessage("timestamp.json (version 2) expired at 2026-01-02T00:00:00Z, before the update started at "
                            + "2026-01-03T00:00:00Z (freeze attack?)");
        }

        @Test
        void theTrustedTimestampReplayedAfterItExpired() throws Exception {
            client.refresh();
            r.clock.advance(Duration.ofDays(1));
            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.Expired.class)
                    .hasMessage("timestamp.json (version 2) expired at 2026-01-02T00:00:00Z, before the update started at "
                            + "2026-01-02T00:00:00Z (freeze attack?)");
        }

        @Test
        void anExpiredSnapshot() throws Exception {
            r.clock.advance(Duration.ofDays(8));
            // A mirror freezing the repository, with the online timestamp key: a fresh timestamp over the expired snapshot.
            ObjectNode ts = r.signed("timestamp.json");
            ts.put("version", r.timestampVersion() + 1);
            ts.put("expires", TestRepository.iso(r.clock.instant().plus(Duration.ofDays(1))));
            r.write("timestamp.json", r.signAs(Role.TIMESTAMP, ts));
            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.Expired.class)
                    .hasMessage("2.snapshot.json expired at 2026-01-08T00:00:00Z, before the update started at "
                            + "2026-01-09T00:00:00Z (freeze attack?)");
        }

        @Test
        void anExpiredTargets(@TempDir Path other) throws Exception {
            RepositoryConfig shortTargets = new RepositoryConfig(Duration.ofDays(365), Duration.ofDays(10),
                    Duration.ofDays(30), Duration.ofDays(30), KeyType.ED25519);
            TestRepository s = new TestRepository(other, shortTargets, 1);
            s.publish("app.json", "v1", "stable");
            s.clock.advance(Duration.ofDays(11));
            assertThatThrownBy(s.client()::refresh)
                    .isInstanceOf(TufException.Expired.class)
                    .hasMessage("2.targets.json expired at 2026-01-11T00:00:00Z, before the update started at "
                            + "2026-01-12T00:00:00Z (freeze attack?)");
        }

        @Test
        void anExpiredRoot(@TempDir Path other) throws Exception {
            RepositoryConfig shortRoot = new RepositoryConfig(Duration.ofDays(5), Duration.ofDays(30),
                    Duration.ofDays(30), Duration.ofDays(30), KeyType.ED25519);
            TestRepository s = new TestRepository(other, shortRoot, 1);
            s.clock.advance(Duration.ofDays(6));
            assertThatThrownBy(s.client()::refresh)
                    .isInstanceOf(TufException.Expired.class)
                    .hasMessage("root.json (version 1) expired at 2026-01-06T00:00:00Z, before the update started at "
                            + "2026-01-07T00:00:00Z (freeze attack?)");
        }
    }

    @Nested
    class MixAndMatch {
        @Test
        void aSnapshotListingATargetsVersionWithAnotherVersionsHash() throws Exception {
            ObjectNode meta = JsonNodeFactory.instance.objectNode();
            byte[] v1 = r.read("1.targets.json");
            byte[] v2 = r.read("2.targets.json");
            ObjectNode entry = TestRepository.metaFile(2, v1).put("length", v2.length);
            meta.set("targets.json", entry);
            r.writeSnapshotAndTimestamp(3, meta);

            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.BadHash.class)
                    .hasMessage("2.targets.json (as listed in snapshot.json) has sha256 " + Hashes.hex("SHA-256", v2)
                            + ", expected " + Hashes.hex("SHA-256", v1));
        }

        @Test
        void aSnapshotListingAShorterLength() throws Exception {
            ObjectNode meta = JsonNodeFactory.instance.objectNode();
            byte[] v2 = r.read("2.targets.json");
            meta.set("targets.json", TestRepository.metaFile(2, v2).put("length", v2.length + 5));
            r.writeSnapshotAndTimestamp(3, meta);

            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.BadHash.class)
                    .hasMessage("2.targets.json has " + v2.length + " bytes but snapshot.json lists " + (v2.length + 5)
                            + " (mix-and-match or tampering)");
        }

        @Test
        void aTargetsFileOfAnotherVersion() throws Exception {
            ObjectNode meta = JsonNodeFactory.instance.objectNode();
            meta.putObject("targets.json").put("version", 1);
            r.writeSnapshotAndTimestamp(3, meta);
            r.write("1.targets.json", r.read("2.targets.json"));

            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.VersionMismatch.class)
                    .hasMessage("1.targets.json has version 2 but snapshot.json lists version 1 (mix-and-match)");
        }
    }

    @Nested
    class EndlessData {
        @Test
        void aHugeTimestamp() {
            r.write("timestamp.json", new byte[100_000]);
            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.TooLarge.class)
                    .hasMessage("timestamp.json is larger than the 16384 bytes allowed for it (endless data)");
        }

        @Test
        void aHugeRoot() {
            r.write("2.root.json", new byte[1 << 20]);
            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.TooLarge.class)
                    .hasMessage("2.root.json is larger than the 524288 bytes allowed for it (endless data)");
        }

        @Test
        void aSnapshotLongerThanTheTimestampSays() {
            byte[] snap = r.read("2.snapshot.json");
            r.write("2.snapshot.json", Arrays.copyOf(snap, snap.length + 10_000));
            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.TooLarge.class)
                    .hasMessage("2.snapshot.json is larger than the " + snap.length + " bytes allowed for it (endless data)");
        }

        @Test
        void aTargetsLongerThanTheSnapshotSays() {
            byte[] targets = r.read("2.targets.json");
            r.write("2.targets.json", Arrays.copyOf(targets, targets.length + 1));
            assertThatThrownBy(client::refresh)
                    .isInstanceOf(TufException.TooLarge.class)
                    .hasMessage("2.targets.json is larger than the " + targets.length + " bytes allowed for it (endless data)");
        }

        @Test
        void aTargetLongerThanItsMetadataSays() throws Exception {
            client.refresh();
            TargetInfo info = client.getTargetInfo("app.json");
            Files.write(RepositoryWriter.targetFile(r.repo, info), new byte[10_000_000]);
            assertThatThrownBy(() -> client.downloadTarget(info, r.targetsUrl()))
                    .isInstanceOf(TufException.TooLarge.class)
                    .hasMessage("target app.json is larger than the 2 bytes allowed for it (endless data)");
        }
    }
}
