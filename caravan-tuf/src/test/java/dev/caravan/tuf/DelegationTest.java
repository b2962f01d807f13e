package dev.caravan.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pre-order depth-first search of delegations (tuf-spec 5.6.7). */
class DelegationTest {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    @TempDir
    Path tmp;
    TestRepository r;
    final Map<String, SigningKey> keys = new HashMap<>();
    final Map<String, ObjectNode> roles = new LinkedHashMap<>();
    ObjectNode top;

    @BeforeEach
    void setUp() {
        r = new TestRepository(tmp);
        top = role("targets");
    }

    @Test
    void searchesDepthFirstInOrderOfAppearance() throws Exception {
        delegate("targets", "A", List.of("*"), false);
        delegate("targets", "B", List.of("*"), false);
        delegate("A", "A1", List.of("*.json"), false);
        target("A1", "x.json");
        target("B", "x.json");
        target("B", "y.json");
        TufClient client = publish();

        assertThat(client.getTargetInfo("x.json").custom().get("role").asText()).isEqualTo("A1");
        assertThat(client.getTargetInfo("y.json").custom().get("role").asText()).isEqualTo("B");
        assertThat(Files.readAllBytes(r.clientDir.resolve("A1.json"))).isEqualTo(r.read("1.A1.json"));
    }

    @Test
    void aTerminatingDelegationEndsTheSearch() throws Exception {
        delegate("targets", "T", List.of("x*"), true);
        delegate("targets", "C", List.of("*"), false);
        target("C", "x.json");
        target("C", "other.json");
        TufClient client = publish();

        assertThatThrownBy(() -> client.getTargetInfo("x.json"))
                .isInstanceOf(TufException.TargetNotFound.class)
                .hasMessage("no trusted targets metadata describes the target x.json");
        assertThat(client.getTargetInfo("other.json").custom().get("role").asText()).isEqualTo("C");
    }

    @Test
    void aRoleIsNotTrustedForPathsOutsideItsDelegation() throws Exception {
        delegate("targets", "A", List.of("app-*"), false);
        target("A", "other.json");
        TufClient client = publish();

        assertThatThrownBy(() -> client.getTargetInfo("other.json")).isInstanceOf(TufException.TargetNotFound.class);
    }

    @Test
    void pathHashPrefixesSelectRoles() throws Exception {
        String prefix = Hashes.hex("SHA-256", "h.json".getBytes(StandardCharsets.UTF_8)).substring(0, 2);
        delegate("targets", "bin", null, false);
        ((ObjectNode) last(top)).putArray("path_hash_prefixes").add(prefix);
        target("bin", "h.json");
        TufClient client = publish();

        assertThat(client.getTargetInfo("h.json").custom().get("role").asText()).isEqualTo("bin");
    }

    @Test
    void aDelegatedRoleSignedByTheWrongKeyIsRejected() throws Exception {
        delegate("targets", "A", List.of("*"), false);
        target("A", "x.json");
        keys.put("A", SigningKey.generate(KeyType.ED25519));   // signs with a key the delegation does not list
        TufClient client = publish();

        assertThatThrownBy(() -> client.getTargetInfo("x.json"))
                .isInstanceOf(TufException.BadSignature.class)
                .hasMessage("1.A.json has 0 valid signatures from the A role's keys, 1 required (threshold)");
    }

    @Test
    void cyclesAndLongChainsEndTheSearch() throws Exception {
        delegate("targets", "A", List.of("*"), false);
        delegate("A", "B", List.of("*"), false);
        delegate("B", "A", List.of("*"), false);
        TufClient client = publish();
        assertThatThrownBy(() -> client.getTargetInfo("x.json")).isInstanceOf(TufException.TargetNotFound.class);

        String parent = "B";
        for (int i = 0; i < 40; i++) {
            delegate(parent, "R" + i, List.of("*"), false);
            parent = "R" + i;
        }
        target(parent, "deep.json");
        TufClient limited = publish();
        assertThatThrownBy(() -> limited.getTargetInfo("deep.json")).isInstanceOf(TufException.TargetNotFound.class);
        TufClient patient = r.client(new TufClientConfig(512 * 1024, 16 * 1024, 1 << 22, 1 << 25, 32, 64));
        patient.refresh();
        assertThat(patient.getTargetInfo("deep.json").custom().get("role").asText()).isEqualTo("R39");
    }

    private ObjectNode role(String name) {
        ObjectNode md = JSON.objectNode();
        md.put("_type", "targets").put("spec_version", "1.0.31").put("version", 1)
                .put("expires", TestRepository.iso(Duration.ofDays(30)));
        md.putObject("targets");
        roles.put(name, md);
        if (!name.equals("targets")) {
            keys.put(name, SigningKey.generate(KeyType.ED25519));
        }
        return md;
    }

    private void delegate(String from, String to, List<String> paths, boolean terminating) {
        if (!roles.containsKey(to)) {
            role(to);
        }
        ObjectNode delegator = roles.get(from);
        ObjectNode d = delegator.has("delegations") ? (ObjectNode) delegator.get("delegations") : delegator.putObject("delegations");
        ObjectNode keysNode = d.has("keys") ? (ObjectNode) d.get("keys") : d.putObject("keys");
        ArrayNode list = d.has("roles") ? (ArrayNode) d.get("roles") : d.putArray("roles");
        Key k = keys.get(to).key();
        keysNode.set(k.keyid(), k.json());
        ObjectNode entry = list.addObject().put("name", to).put("threshold", 1).put("terminating", terminating);
        entry.putArray("keyids").add(k.keyid());
        if (paths != null) {
            ArrayNode p = entry.putArray("paths");
            paths.forEach(p::add);
        }
    }

    private static Object last(ObjectNode delegator) {
        ArrayNode list = (ArrayNode) delegator.at("/delegations/roles");
        return list.get(list.size() - 1);
    }

    private void target(String role, String name) {
        byte[] content = (role + ":" + name).getBytes(StandardCharsets.UTF_8);
        ObjectNode t = ((ObjectNode) roles.get(role).get("targets")).putObject(name);
        t.put("length", content.length);
        t.putObject("hashes").put("sha256", Hashes.hex("SHA-256", content));
        t.putObject("custom").put("role", role);
    }

    /** Writes every role's metadata (delegated at its version, targets next), a snapshot listing them, a timestamp. */
    private TufClient publish() throws Exception {
        long targetsVersion = r.signed("timestamp.json").get("version").asLong() + 1;
        ObjectNode meta = JSON.objectNode();
        for (Map.Entry<String, ObjectNode> e : roles.entrySet()) {
            String name = e.getKey();
            if (name.equals("targets")) {
                continue;
            }
            byte[] file = Envelope.sign(e.getValue(), List.of(keys.get(name)));
            r.write("1." + name + ".json", file);
            meta.set(name + ".json", TestRepository.metaFile(1, file));
        }
        top.put("version", targetsVersion);
        byte[] targets = r.signAs(Role.TARGETS, top);
        r.write(targetsVersion + ".targets.json", targets);
        meta.set("targets.json", TestRepository.metaFile(targetsVersion, targets));
        r.writeSnapshotAndTimestamp(targetsVersion, meta);
        TufClient client = r.client();
        client.refresh();
        return client;
    }
}
