package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * What snapshot or timestamp metadata says of one metadata file (tuf-spec 4.4 METAFILES):
 * its version and, optionally, its length and hashes ({@code null} and empty when absent).
 */
record MetaFile(long version, Long length, Map<String, String> hashes) {

    MetaFile {
        hashes = hashes == null ? Map.of() : Map.copyOf(hashes);
    }

    static MetaFile parse(String where, JsonNode node) throws TufException.BadFormat {
        MetadataReader r = new MetadataReader(where, node);
        long version = r.version();
        Long length = r.has("length") ? r.integer("length", 0) : null;
        Map<String, String> hashes = r.has("hashes") ? Hashes.parse(r, node.get("hashes")) : Map.of();
        return new MetaFile(version, length, hashes);
    }

    /**
     * Checks the bytes of {@code fileName} against the length and hashes listed by
     * {@code referrer}, when it lists them.
     */
    void check(String fileName, String referrer, byte[] data) throws TufException.BadHash {
        if (length != null && data.length != length) {
            throw new TufException.BadHash(fileName + " has " + data.length + " bytes but " + referrer
                    + " lists " + length + " (mix-and-match or tampering)");
        }
        if (!hashes.isEmpty()) {
            Hashes.check(fileName + " (as listed in " + referrer + ")", hashes, data);
        }
    }
}
