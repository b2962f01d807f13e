package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A target file as trusted targets metadata describes it: its name (TARGETPATH), length in
 * bytes, hashes (algorithm name to lowercase hex, e.g. {@code sha256}) and the application's
 * {@code custom} object (an empty object when the metadata has none).
 */
public record TargetInfo(String name, long length, Map<String, String> hashes, JsonNode custom) {

    public TargetInfo {
        Objects.requireNonNull(name, "name");
        if (length < 0) {
            throw new IllegalArgumentException("target " + name + " has a negative length " + length);
        }
        if (hashes == null || hashes.isEmpty()) {
            throw new IllegalArgumentException("target " + name + " lists no hashes");
        }
        hashes = Map.copyOf(new TreeMap<>(hashes));
        custom = custom == null ? JsonNodeFactory.instance.objectNode() : custom.deepCopy();
    }

    /** The lowercase hex SHA-256 of the target, or {@code null} when the metadata lists none. */
    public String sha256() {
        return hashes.get("sha256");
    }

    @Override
    public JsonNode custom() {
        return custom.deepCopy();
    }
}
