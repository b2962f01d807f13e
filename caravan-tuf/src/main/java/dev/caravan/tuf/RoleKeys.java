package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.List;

/** The keys a role trusts and how many of them must sign (tuf-spec 4.3 "roles"). */
record RoleKeys(List<String> keyids, int threshold) {

    RoleKeys {
        keyids = List.copyOf(new LinkedHashSet<>(keyids));
        if (threshold < 1) {
            throw new IllegalArgumentException("a threshold is at least 1, got " + threshold);
        }
    }

    static RoleKeys parse(String where, JsonNode node) throws TufException.BadFormat {
        MetadataReader r = new MetadataReader(where, node);
        List<String> keyids = r.textList("keyids");
        long threshold = r.integer("threshold", 1);
        if (threshold > Integer.MAX_VALUE) {
            throw r.bad("has threshold " + threshold + ", too large");
        }
        if (new LinkedHashSet<>(keyids).size() != keyids.size()) {
            throw r.bad("lists a keyid twice");
        }
        return new RoleKeys(keyids, (int) threshold);
    }
}
