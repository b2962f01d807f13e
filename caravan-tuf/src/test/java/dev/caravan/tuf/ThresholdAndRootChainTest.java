package dev.caravan.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.json.CanonicalJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signature thresholds (each key counted once, only the role's keys) and the root rotation chain (5.3). */
class ThresholdAndRootChainTest {
    @TempDir
    Path tmp;

    /** An envelope with one signature per (keyid, key) pair, so tests can lie about keyids. */
    static byte[] envelope(ObjectNode signed, List<Map.Entry<String, SigningKey>> signers) throws Exception {
        byte[] message = CanonicalJson.encode(signed);
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode sigs = root.putArray("signatures");
        for (Map.Entry<String, SigningKey> s : signers) {
            sigs.addObject().put("keyid", s.getKey()).put("sig", HexFormat.of().formatHex(s.getValue().sign(message)));
        }
        root.set("signed", signed);
        return CanonicalJson.MAPPER.writeValueAsBytes(root);
    }

    @Test
    void aRootWithOneValidSignatureOfTwoRequiredIsRejected() throws Exception {
        TestRepository r = new TestRepository(tmp, RepositoryConfig.defaults(), 2);
        ObjectNode v2 = r.signed("1.root.json").put("version", 2);
        r.write("2.root.json", Envelope.sign(v2, r.keysOf(Role.ROOT).subList(0, 1)));

        assertThatThrownBy(r.client()::refresh)
                .isInstanceOf(TufException.BadSignature.class)
                .hasMessage("2.root.json has 1 valid signature from the root role's keys, 2 required (threshold)");
    }

    @Test
    void twoSignaturesByTheSameKeyUnderTwoKeyidsCountOnce() throws Exception {
        TestRepository r = new TestRepository(tmp);
        SigningKey k = r.keysOf(Role.ROOT).get(0);
        ObjectNode sameKeyAgain = k.key().json().deepCopy();
        sameKeyAgain.put("x-comment", "the same public key, another keyid");
        String otherKeyid = Key.keyidOf(sameKeyAgain);
        ObjectNode v2 = r.signed("1.root.json").put("version", 2);
        ((ObjectNode) v2.get("keys")).set(otherKeyid, sameKeyAgain);
        ((ArrayNode) v2.at("/roles/root/keyids")).add(otherKeyid);
        ((ObjectNode) v2.at("/roles/root")).put("threshold", 2);
        r.write("2.root.json", envelope(v2, List.of(Map.entry(k.keyid(), k), Map.entry(otherKeyid, k))));

        assertThatThrownBy(r.client()::refresh)
                .isInstanceOf(TufException.BadSignature.class)
                .hasMessage("2.root.json has 1 valid signature from the root role's keys, 2 required (threshold)");
    }

    @Test
    void aRepeatedSignatureCountsOnce() throws Exception {
        TestRepository r = new TestRepository(tmp);
        SigningKey k = r.keysOf(Role.ROOT).get(0);
        SigningKey extra = SigningKey.generate(KeyType.ED25519);
        ObjectNode v2 = r.signed("1.root.json").put("version", 2);
        ((ObjectNode) v2.get("keys")).set(extra.keyid(), extra.key().json());
        ((ArrayNode) v2.at("/roles/root/keyids")).add(extra.keyid());
        ((ObjectNode) v2.at("/roles/root")).put("threshold", 2);
        r.write("2.root.json", envelope(v2, List.of(Map.entry(k.keyid(), k), Map.entry(k.keyid(), k))));

        assertThatThrownBy(r.client()::refresh)
                .isInstanceOf(TufException.BadSignature.class)
                .hasMessage("2.root.json has 1 valid signature from the root role's keys, 2 required (threshold)");
    }

    @Test
    void aSignatureByAKeyOfAnotherRoleCountsForNothing() throws Exception {
        TestRepository r = new TestRepository(tmp);
        r.write("timestamp.json", r.signAs(Role.TARGETS, r.signed("timestamp.json")));

        assertThatThrownBy(r.client()::refresh)
                .isInstanceOf(TufException.BadSignature.class)
                .hasMessage("timestamp.json has 0 valid signatures from the timestamp role's keys, 1 required (threshold)");
    }

    @Test
    void theClientWalksARootChainWithAThresholdChange() throws Exception {
        TestRepository r = new TestRepository(tmp);
        r.publish("a.json", "a", "stable");
        TufClient client = r.client();
        client.refresh();
        r.writer.rotate(r.keys, r.repo, Role.ROOT, 2);   // v2: 2 keys, threshold 2, signed by v1's key and both new keys
        r.writer.rotate(r.keys, r.repo, Role.ROOT);      // v3: 2 new keys, threshold 2, signed by v2's 2 and v3's 2

        client.refresh();
        assertThat(client.rootVersion()).isEqualTo(3);
        assertThat(Files.readAllBytes(r.clientDir.resolve("root.json"))).isEqualTo(r.read("3.root.json"));
        assertThat(Envelope.parse("3.root.json", r.read("3.root.json")).signatures()).hasSize(4);
        assertThat(client.getTargetInfo("a.json").length()).isEqualTo(1);
    }

    @Test
    void aNewRootNotSignedByThePreviousRootsKeysIsRejected() throws Exception {
        TestRepository r = new TestRepository(tmp);
        r.writer.rotate(r.keys, r.repo, Role.ROOT, 2);
        r.writer.rotate(r.keys, r.repo, Role.ROOT);
        r.write("3.root.json", Envelope.sign(r.signed("3.root.json"), r.keysOf(Role.ROOT)));   // v3's keys only

        assertThatThrownBy(r.client()::refresh)
                .isInstanceOf(TufException.BadSignature.class)
                .hasMessage("3.root.json has 0 valid signatures from the root role's keys, 2 required (threshold)");
    }

    @Test
    void aNewRootNotSignedByItsOwnKeysIsRejected() throws Exception {
        TestRepository r = new TestRepository(tmp);
        List<SigningKey> v1Keys = r.keysOf(Role.ROOT);
        r.writer.rotate(r.keys, r.repo, Role.ROOT);
        r.write("2.root.json", Envelope.sign(r.signed("2.root.json"), v1Keys));

        assertThatThrownBy(r.client()::refresh)
                .isInstanceOf(TufException.BadSignature.class)
                .hasMessage("2.root.json has 0 valid signatures from the root role's keys, 1 required (threshold)");
    }

    @Test
    void aRootWithAVersionOtherThanNPlusOneIsRejected() throws Exception {
        TestRepository r = new TestRepository(tmp);
        ObjectNode v5 = r.signed("1.root.json").put("version", 5);
        r.write("2.root.json", r.signAs(Role.ROOT, v5));

        assertThatThrownBy(r.client()::refresh)
                .isInstanceOf(TufException.VersionMismatch.class)
                .hasMessage("2.root.json has version 5, expected 2");
    }

    @Test
    void theRootChainStopsAfterTheConfiguredNumberOfRotations() throws Exception {
        TestRepository r = new TestRepository(tmp);
        for (int i = 0; i < 3; i++) {
            r.writer.rotate(r.keys, r.repo, Role.ROOT);
        }
        TufClient client = r.client(new TufClientConfig(512 * 1024, 16 * 1024, 1 << 22, 1 << 25, 2, 32));
        client.refresh();
        assertThat(client.rootVersion()).isEqualTo(3);
        client.refresh();
        assertThat(client.rootVersion()).isEqualTo(4);
    }
}
