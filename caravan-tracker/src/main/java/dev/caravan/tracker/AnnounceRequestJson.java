package dev.caravan.tracker;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.Digest;
import dev.caravan.wire.Hello;
import dev.caravan.wire.PeerId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The JSON form of an {@link AnnounceRequest}: written by the client, read and checked field by
 * field by the server, which names the first bad field. Unknown fields are ignored, so that newer
 * agents can send more.
 */
final class AnnounceRequestJson {
    static final ObjectMapper MAPPER = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private AnnounceRequestJson() {
    }

    static byte[] write(AnnounceRequest request) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("peer_id", request.peerId().toString());
        root.put("address", request.address().toString());
        root.put("group", request.group());
        ArrayNode releases = root.putArray("releases");
        for (ReleaseProgress r : request.releases()) {
            releases.addObject().put("manifest", r.manifest().hex()).put("have", r.have()).put("total", r.total())
                    .put("complete", r.complete());
        }
        root.put("event", request.event().label());
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an announce as JSON", e);
        }
    }

    /** Reads and checks an announce body; at most {@code maxReleases} releases. */
    static AnnounceRequest read(byte[] body, int maxReleases) throws BadRequestException {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new BadRequestException("body", "the body is not valid JSON: " + why);
        }
        if (root == null || !root.isObject()) {
            throw new BadRequestException("body", "the body must be a JSON object");
        }
        PeerId peerId = peerId(root);
        PeerAddress address = address(root.get("address"));
        String group = group(root);
        AnnounceEvent event = event(root);
        List<ReleaseProgress> releases = event == AnnounceEvent.STOPPED && root.get("releases") == null
                ? List.of() : releases(root.get("releases"), maxReleases);
        return new AnnounceRequest(peerId, address, group, releases, event);
    }

    private static PeerId peerId(JsonNode root) throws BadRequestException {
        String hex = text(root, "peer_id", "peer_id");
        try {
            return PeerId.parse(hex);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("peer_id", e.getMessage());
        }
    }

    private static PeerAddress address(JsonNode node) throws BadRequestException {
        if (node == null || node.isNull()) {
            throw new BadRequestException("address", "address is missing: \"host:port\" or {\"host\": …, \"port\": …}");
        }
        try {
            if (node.isTextual()) {
                return PeerAddress.parse(node.textValue());
            }
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("address", e.getMessage());
        }
        if (!node.isObject()) {
            throw new BadRequestException("address", "address must be \"host:port\" or {\"host\": …, \"port\": …}");
        }
        JsonNode host = node.get("host");
        if (host != null && !host.isNull() && !host.isTextual()) {
            throw new BadRequestException("address.host", "address.host must be a string");
        }
        int port = integer(node, "port", "address.port", 1, 65_535);
        String h = host == null || host.isNull() || host.textValue().isEmpty() ? "0.0.0.0" : host.textValue();
        try {
            return new PeerAddress(h, port);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("address.host", e.getMessage());
        }
    }

    private static String group(JsonNode root) throws BadRequestException {
        String group = text(root, "group", "group");
        try {
            return Hello.requireGroup(group);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("group", e.getMessage());
        }
    }

    private static AnnounceEvent event(JsonNode root) throws BadRequestException {
        JsonNode node = root.get("event");
        if (node == null || node.isNull()) {
            return AnnounceEvent.UPDATE;
        }
        AnnounceEvent event = node.isTextual() ? AnnounceEvent.byLabel(node.textValue()) : null;
        if (event == null) {
            throw new BadRequestException("event", "event must be \"started\", \"update\" or \"stopped\", got " + node);
        }
        return event;
    }

    private static List<ReleaseProgress> releases(JsonNode node, int max) throws BadRequestException {
        if (node == null || !node.isArray()) {
            throw new BadRequestException("releases", "releases must be an array of {\"manifest\", \"have\", \"total\", \"complete\"}");
        }
        if (node.size() > max) {
            throw new BadRequestException("releases", "at most " + max + " releases per announce, got " + node.size());
        }
        List<ReleaseProgress> out = new ArrayList<>(node.size());
        Set<Digest> seen = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "releases[" + i + "]";
            JsonNode r = node.get(i);
            if (!r.isObject()) {
                throw new BadRequestException(at, at + " must be an object");
            }
            Digest manifest;
            try {
                manifest = Digest.parse(text(r, "manifest", at + ".manifest"));
            } catch (IllegalArgumentException e) {
                throw new BadRequestException(at + ".manifest", e.getMessage());
            }
            if (!seen.add(manifest)) {
                throw new BadRequestException(at + ".manifest", "release " + manifest.shortHex() + " is listed twice");
            }
            int total = integer(r, "total", at + ".total", 0, Integer.MAX_VALUE);
            int have = integer(r, "have", at + ".have", 0, total);
            JsonNode complete = r.get("complete");
            if (complete == null || !complete.isBoolean()) {
                throw new BadRequestException(at + ".complete", at + ".complete must be true or false");
            }
            if (complete.booleanValue() && have != total) {
                throw new BadRequestException(at + ".complete", at + ".complete is true but have " + have + " < total " + total);
            }
            out.add(new ReleaseProgress(manifest, have, total, complete.booleanValue()));
        }
        return out;
    }

    private static String text(JsonNode parent, String name, String path) throws BadRequestException {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            throw new BadRequestException(path, path + " is missing");
        }
        if (!node.isTextual()) {
            throw new BadRequestException(path, path + " must be a string");
        }
        return node.textValue();
    }

    private static int integer(JsonNode parent, String name, String path, int min, int max) throws BadRequestException {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            throw new BadRequestException(path, path + " is missing");
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            throw new BadRequestException(path, path + " must be an integer from " + min + " to " + max + ", got " + abbreviate(node));
        }
        return node.intValue();
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
