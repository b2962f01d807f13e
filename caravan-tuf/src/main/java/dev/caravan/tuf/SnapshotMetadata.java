package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The signed part of snapshot.json (tuf-spec 4.4): the version (and optionally length and
 * hashes) of targets.json and of every delegated role's metadata, keyed by file name.
 */
record SnapshotMetadata(long version, Instant expires, Map<String, MetaFile> meta, JsonNode signed) {

    static SnapshotMetadata parse(String fileName, JsonNode signed) throws TufException.BadFormat {
        MetadataReader r = new MetadataReader(fileName, signed);
        r.header("snapshot");
        long version = r.version();
        Instant expires = r.expires();
        Map<String, MetaFile> meta = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = r.object("meta").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            meta.put(e.getKey(), MetaFile.parse(fileName + " meta " + e.getKey(), e.getValue()));
        }
        if (!meta.containsKey("targets.json")) {
            throw r.bad("\"meta\" does not list targets.json (tuf-spec 4.4: it MUST)");
        }
        return new SnapshotMetadata(version, expires, Map.copyOf(meta), signed);
    }
}
