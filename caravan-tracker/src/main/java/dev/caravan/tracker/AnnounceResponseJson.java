package dev.caravan.tracker;

import static dev.caravan.tracker.AnnounceRequestJson.MAPPER;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.Digest;
import dev.caravan.wire.PeerId;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of an {@link AnnounceResponse} (written by the server, read by the client) and
 * of the error body every refusal carries: {@code {"error": "...", "field": "..."}}.
 */
final class AnnounceResponseJson {
    private AnnounceResponseJson() {
    }

    static byte[] write(AnnounceResponse response) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("interval_seconds", response.interval().toSeconds());
        ObjectNode peers = root.putObject("peers");
        response.peers().forEach((manifest, list) -> {
            ArrayNode array = peers.putArray(manifest.hex());
            for (SwarmPeer p : list) {
                array.addObject().put("peer_id", p.peerId().toString()).put("address", p.address().toString())
                        .put("group", p.group()).put("complete", p.complete());
            }
        });
        return bytes(root);
    }

    /** Reads a tracker's answer; any deviation from the API is a {@link TrackerException}. */
    static AnnounceResponse read(byte[] body) throws TrackerException {
        try {
            JsonNode root = MAPPER.readTree(body);
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException("the answer is not a JSON object");
            }
            JsonNode interval = root.get("interval_seconds");
            if (interval == null || !interval.isIntegralNumber() || !interval.canConvertToLong() || interval.longValue() < 1) {
                throw new IllegalArgumentException("interval_seconds must be a positive integer, got " + interval);
            }
            JsonNode peers = root.get("peers");
            if (peers == null || !peers.isObject()) {
                throw new IllegalArgumentException("peers must be an object");
            }
            Map<Digest, List<SwarmPeer>> lists = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : peers.properties()) {
                if (!e.getValue().isArray()) {
                    throw new IllegalArgumentException("peers." + e.getKey() + " must be an array");
                }
                List<SwarmPeer> list = new ArrayList<>(e.getValue().size());
                for (JsonNode p : e.getValue()) {
                    list.add(new SwarmPeer(PeerId.parse(p.path("peer_id").asText(null)),
                            PeerAddress.parse(p.path("address").asText(null)), p.path("group").asText(null),
                            p.path("complete").asBoolean(false)));
                }
                lists.put(Digest.parse(e.getKey()), list);
            }
            return new AnnounceResponse(Duration.ofSeconds(interval.longValue()), lists);
        } catch (IOException | IllegalArgumentException e) {
            throw new TrackerException("the tracker's answer is malformed: " + e.getMessage(), e);
        }
    }

    static byte[] error(String message, String field) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("error", message);
        if (field != null) {
            root.put("field", field);
        }
        return bytes(root);
    }

    /** The refusal a 4xx answer to {@code request} (in words) carries, as an exception; tolerant of a body that is not ours. */
    static TrackerRejectedException rejection(String request, int status, byte[] body) {
        String message = "(no error message)";
        String field = null;
        try {
            JsonNode root = MAPPER.readTree(body);
            if (root != null && root.path("error").isTextual()) {
                message = root.get("error").textValue();
                field = root.path("field").isTextual() ? root.get("field").textValue() : null;
            }
        } catch (IOException e) {
            // not JSON (a proxy's page?): keep the generic message
        }
        return new TrackerRejectedException(request, status, field, message);
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
