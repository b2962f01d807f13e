package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The signed part of targets.json or of a delegated role's metadata (tuf-spec 4.5): the target
 * files it vouches for and, optionally, the roles it delegates to ({@code delegations} is
 * {@code null} when there are none).
 */
record TargetsMetadata(long version, Instant expires, Map<String, TargetInfo> targets,
                       Delegations delegations, JsonNode signed) {

    /** The DELEGATIONS object: keys of the delegated roles and the roles in priority order. */
    record Delegations(Map<String, Key> keys, List<DelegatedRole> roles) {}

    static TargetsMetadata parse(String fileName, JsonNode signed) throws TufException.BadFormat {
        MetadataReader r = new MetadataReader(fileName, signed);
        r.header("targets");
        long version = r.version();
        Instant expires = r.expires();
        Map<String, TargetInfo> targets = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = r.object("targets").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            targets.put(e.getKey(), parseTarget(fileName, e.getKey(), e.getValue()));
        }
        Delegations delegations = r.has("delegations") ? parseDelegations(fileName, r.object("delegations")) : null;
        return new TargetsMetadata(version, expires, Map.copyOf(targets), delegations, signed);
    }

    private static TargetInfo parseTarget(String fileName, String name, JsonNode node) throws TufException.BadFormat {
        MetadataReader t = new MetadataReader(fileName + " target " + name, node);
        long length = t.integer("length", 0);
        Map<String, String> hashes = Hashes.parse(t, node.get("hashes"));
        JsonNode custom = null;
        if (t.has("custom")) {
            custom = t.object("custom");
        }
        return new TargetInfo(name, length, hashes, custom);
    }

    private static Delegations parseDelegations(String fileName, JsonNode node) throws TufException.BadFormat {
        MetadataReader d = new MetadataReader(fileName + " delegations", node);
        Map<String, Key> keys = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = d.object("keys").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            keys.put(e.getKey(), Key.parse(fileName + " delegations", e.getKey(), e.getValue()));
        }
        List<DelegatedRole> roles = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode roleNode : d.array("roles")) {
            DelegatedRole role = DelegatedRole.parse(fileName, roleNode);
            if (!names.add(role.name())) {
                throw d.bad("delegate to the role \"" + role.name() + "\" twice (ROLENAME MUST be unique)");
            }
            roles.add(role);
        }
        return new Delegations(Map.copyOf(keys), List.copyOf(roles));
    }
}
