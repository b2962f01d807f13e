package dev.caravan.agent.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.agent.Agent;
import java.io.IOException;
import java.util.OptionalDouble;

/**
 * The JSON form of an {@link Agent.Status}, as {@code GET /status} answers it and
 * {@code caravan status} reads it back:
 *
 * <pre>{@code
 * {"name": "branch-12-pc7", "release": "myapp 1.4.0", "installed_version": "1.3.2",
 *  "chunks_held": 310, "chunks": 412,
 *  "bytes_from_peers": 301989888, "bytes_from_origin": 23068672, "bytes_uploaded": 104857600,
 *  "offload_percent": 92.9, "peers": 6, "last_error": null}
 * }</pre>
 *
 * Byte figures count the release being fetched or seeded ({@code release}), except
 * {@code bytes_uploaded}, which counts every release since the agent started. Absent values are
 * {@code null}: {@code release} before the first is chosen, {@code installed_version} before the
 * first install, {@code offload_percent} before any byte arrived.
 */
public final class StatusJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StatusJson() {}

    /**
     * The share of the release's received bytes that came from peers rather than the origin, in
     * percent; empty while nothing was received.
     */
    public static OptionalDouble offloadPercent(Agent.Status status) {
        long total = status.bytesFromPeers() + status.bytesFromOrigin();
        return total == 0 ? OptionalDouble.empty() : OptionalDouble.of(100.0 * status.bytesFromPeers() / total);
    }

    /** The status as UTF-8 JSON. */
    public static byte[] write(Agent.Status status) {
        ObjectNode root = MAPPER.createObjectNode()
                .put("name", status.name())
                .put("release", status.release())
                .put("installed_version", status.installedVersion())
                .put("chunks_held", status.chunksHeld())
                .put("chunks", status.chunks())
                .put("bytes_from_peers", status.bytesFromPeers())
                .put("bytes_from_origin", status.bytesFromOrigin())
                .put("bytes_uploaded", status.bytesUploaded());
        OptionalDouble offload = offloadPercent(status);
        if (offload.isPresent()) {
            root.put("offload_percent", Math.round(offload.getAsDouble() * 10) / 10.0);
        } else {
            root.putNull("offload_percent");
        }
        root.put("peers", status.peers()).put("last_error", status.lastError());
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write a JSON tree", e); // a tree of plain values always writes
        }
    }

    /**
     * Reads what {@link #write} wrote.
     *
     * @throws IOException if {@code json} is not such a document: not JSON, or a figure missing
     */
    public static Agent.Status read(byte[] json) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new IOException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IOException("not a JSON object");
        }
        return new Agent.Status(text(root, "name"), text(root, "release"), (int) number(root, "chunks_held"),
                (int) number(root, "chunks"), number(root, "bytes_from_peers"), number(root, "bytes_from_origin"),
                number(root, "bytes_uploaded"), (int) number(root, "peers"), text(root, "installed_version"),
                text(root, "last_error"));
    }

    private static String text(JsonNode root, String field) throws IOException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new IOException(field + " is not a string");
        }
        return node.textValue();
    }

    private static long number(JsonNode root, String field) throws IOException {
        JsonNode node = root.get(field);
        if (node == null || !node.canConvertToLong() || !node.isIntegralNumber()) {
            throw new IOException("no whole number " + field);
        }
        return node.longValue();
    }
}
