package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/** The HASHES object of metadata (tuf-spec 4.4): hash algorithm name to lowercase hex digest. */
final class Hashes {
    private static final HexFormat HEX = HexFormat.of();

    private Hashes() {}

    static Map<String, String> parse(MetadataReader owner, JsonNode hashes) throws TufException.BadFormat {
        if (hashes == null || !hashes.isObject() || hashes.isEmpty()) {
            throw owner.bad("\"hashes\" must be a non-empty object");
        }
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = hashes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw owner.bad("hash \"" + e.getKey() + "\" must be a hex string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /**
     * Checks {@code data} against every listed sha256 and sha512 hash; other algorithms are
     * ignored, but at least one of these two must be listed.
     */
    static void check(String what, Map<String, String> hashes, byte[] data) throws TufException.BadHash {
        int checked = 0;
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            String jdkName = switch (e.getKey()) {
                case "sha256" -> "SHA-256";
                case "sha512" -> "SHA-512";
                default -> null;
            };
            if (jdkName == null) {
                continue;
            }
            String actual = hex(jdkName, data);
            if (!actual.equalsIgnoreCase(e.getValue())) {
                throw new TufException.BadHash(what + " has " + e.getKey() + " " + actual + ", expected " + e.getValue());
            }
            checked++;
        }
        if (checked == 0) {
            throw new TufException.BadHash(what + " lists no sha256 or sha512 hash to check it by");
        }
    }

    static String hex(String jdkAlgorithm, byte[] data) {
        try {
            return HEX.formatHex(MessageDigest.getInstance(jdkAlgorithm).digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no " + jdkAlgorithm, e);
        }
    }
}
