package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** The signed part of timestamp.json (tuf-spec 4.6): the version, length and hashes of snapshot.json. */
record TimestampMetadata(long version, Instant expires, MetaFile snapshot, JsonNode signed) {

    static TimestampMetadata parse(String fileName, JsonNode signed) throws TufException.BadFormat {
        MetadataReader r = new MetadataReader(fileName, signed);
        r.header("timestamp");
        long version = r.version();
        Instant expires = r.expires();
        JsonNode meta = r.object("meta");
        if (!meta.has("snapshot.json") || meta.size() != 1) {
            throw r.bad("\"meta\" must describe snapshot.json and nothing else (tuf-spec 4.6)");
        }
        return new TimestampMetadata(version, expires,
                MetaFile.parse(fileName + " meta snapshot.json", meta.get("snapshot.json")), signed);
    }
}
