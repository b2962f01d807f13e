package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** The signed part of root.json (tuf-spec 4.3): the keys of every top-level role. */
record RootMetadata(long version, Instant expires, boolean consistentSnapshot,
                    Map<String, Key> keys, Map<String, RoleKeys> roles, JsonNode signed) {

    static RootMetadata parse(String fileName, JsonNode signed) throws TufException.BadFormat {
        MetadataReader r = new MetadataReader(fileName, signed);
        r.header("root");
        long version = r.version();
        Instant expires = r.expires();
        boolean consistent = r.has("consistent_snapshot") && r.bool("consistent_snapshot");
        Map<String, Key> keys = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = r.object("keys").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            keys.put(e.getKey(), Key.parse(fileName, e.getKey(), e.getValue()));
        }
        JsonNode rolesNode = r.object("roles");
        Map<String, RoleKeys> roles = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = rolesNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            roles.put(e.getKey(), RoleKeys.parse(fileName + " role " + e.getKey(), e.getValue()));
        }
        for (Role role : Role.values()) {
            if (!roles.containsKey(role.id())) {
                throw r.bad("has no \"" + role.id() + "\" role (tuf-spec 4.3: the four top-level roles MUST be specified)");
            }
        }
        return new RootMetadata(version, expires, consistent, Map.copyOf(keys), Map.copyOf(roles), signed);
    }

    RoleKeys role(Role role) {
        return roles.get(role.id());
    }

    /** Checks that {@code envelope} is signed by a threshold of this root's keys for {@code role}. */
    void verify(Role role, Envelope envelope) throws TufException {
        envelope.verify(role.id(), keys, role(role));
    }

    /** The keyids of {@code role} as a set-like comparable form, to detect rotations (5.3.11). */
    boolean sameKeys(Role role, RootMetadata other) {
        return role(role).keyids().stream().sorted().toList()
                .equals(other.role(role).keyids().stream().sorted().toList());
    }
}
