package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@code signed} objects the publisher writes (tuf-spec 4.3 to 4.6). New versions
 * start from a copy of the previous one, so fields this code does not know survive.
 */
final class MetadataBuilder {
    /** The spec version Caravan writes. */
    static final String SPEC_VERSION = "1.0.31";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private MetadataBuilder() {}

    static String expires(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** A version-1 root with consistent snapshots on, listing {@code keys} for each role. */
    static ObjectNode newRoot(Instant expires, Map<Role, List<Key>> keys, Map<Role, Integer> thresholds) {
        ObjectNode root = header("root", 1, expires);
        root.put("consistent_snapshot", true);
        root.putObject("keys");
        root.putObject("roles");
        for (Role role : Role.values()) {
            setRole(root, role, keys.get(role), thresholds.get(role));
        }
        return root;
    }

    /** The next root: {@code previous} with a new version, expiry and, if given, new keys for {@code role}. */
    static ObjectNode nextRoot(JsonNode previous, long version, Instant expires, Role role, List<Key> keys, int threshold) {
        ObjectNode root = previous.deepCopy();
        root.put("version", version);
        root.put("expires", expires(expires));
        root.put("spec_version", SPEC_VERSION);
        if (role != null) {
            setRole(root, role, keys, threshold);
            dropUnusedKeys(root);
        }
        return root;
    }

    private static void setRole(ObjectNode root, Role role, List<Key> keys, int threshold) {
        ObjectNode keysNode = (ObjectNode) root.get("keys");
        ObjectNode roleNode = ((ObjectNode) root.get("roles")).putObject(role.id());
        var ids = roleNode.putArray("keyids");
        for (Key k : keys) {
            keysNode.set(k.keyid(), k.json().deepCopy());
            ids.add(k.keyid());
        }
        roleNode.put("threshold", threshold);
    }

    private static void dropUnusedKeys(ObjectNode root) {
        Set<String> used = new HashSet<>();
        root.get("roles").forEach(r -> r.get("keyids").forEach(id -> used.add(id.textValue())));
        ((ObjectNode) root.get("keys")).retain(used);
    }

    /** Targets metadata: {@code previous} (or an empty one) plus {@code added} targets. */
    static ObjectNode targets(JsonNode previous, long version, Instant expires, List<TargetInfo> added) {
        ObjectNode t = previous == null ? header("targets", version, expires) : previous.deepCopy();
        t.put("version", version);
        t.put("expires", expires(expires));
        t.put("spec_version", SPEC_VERSION);
        ObjectNode targets = t.has("targets") ? (ObjectNode) t.get("targets") : t.putObject("targets");
        for (TargetInfo info : added) {
            ObjectNode entry = targets.putObject(info.name());
            entry.put("length", info.length());
            ObjectNode hashes = entry.putObject("hashes");
            info.hashes().forEach(hashes::put);
            if (!info.custom().isEmpty()) {
                entry.set("custom", info.custom());
            }
        }
        return t;
    }

    /** Snapshot metadata: {@code previous} meta (delegated roles) with targets.json described anew. */
    static ObjectNode snapshot(JsonNode previous, long version, Instant expires, long targetsVersion, byte[] targetsFile) {
        ObjectNode s = previous == null ? header("snapshot", version, expires) : previous.deepCopy();
        s.put("version", version);
        s.put("expires", expires(expires));
        s.put("spec_version", SPEC_VERSION);
        ObjectNode meta = s.has("meta") ? (ObjectNode) s.get("meta") : s.putObject("meta");
        meta.set("targets.json", metaFile(targetsVersion, targetsFile));
        return s;
    }

    /** Timestamp metadata describing {@code snapshotFile} (tuf-spec 4.6). */
    static ObjectNode timestamp(long version, Instant expires, long snapshotVersion, byte[] snapshotFile) {
        ObjectNode t = header("timestamp", version, expires);
        t.putObject("meta").set("snapshot.json", metaFile(snapshotVersion, snapshotFile));
        return t;
    }

    private static ObjectNode metaFile(long version, byte[] file) {
        ObjectNode m = JSON.objectNode();
        m.put("version", version);
        m.put("length", file.length);
        m.putObject("hashes").put("sha256", Hashes.hex("SHA-256", file));
        return m;
    }

    private static ObjectNode header(String type, long version, Instant expires) {
        ObjectNode n = JSON.objectNode();
        n.put("_type", type);
        n.put("spec_version", SPEC_VERSION);
        n.put("version", version);
        n.put("expires", expires(expires));
        return n;
    }
}
