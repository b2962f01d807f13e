package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.json.CanonicalJson;
import java.io.IOException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A signed metadata file as received (tuf-spec 4.3): the {@code signed} object, the
 * {@code signatures} over its canonical JSON, and the raw bytes, which are what the client
 * stores. Fields the spec does not define are kept, so signatures cover them.
 */
record Envelope(String fileName, JsonNode signed, List<Sig> signatures, byte[] raw) {
    private static final HexFormat HEX = HexFormat.of();

    /** One entry of {@code signatures}: the signing key's id and the signature bytes. */
    record Sig(String keyid, byte[] sig) {}

    static Envelope parse(String fileName, byte[] raw) throws TufException.BadFormat {
        JsonNode root;
        try {
            root = CanonicalJson.parse(raw);
        } catch (IOException e) {
            throw new TufException.BadFormat(fileName + " is not valid JSON: " + firstLine(e.getMessage()), e);
        }
        MetadataReader r = new MetadataReader(fileName, root);
        JsonNode signed = r.object("signed");
        List<Sig> sigs = new ArrayList<>();
        for (JsonNode s : r.array("signatures")) {
            MetadataReader sr = new MetadataReader(fileName + " signature", s);
            String keyid = sr.text("keyid");
            String hex = sr.text("sig");
            try {
                sigs.add(new Sig(keyid, HEX.parseHex(hex)));
            } catch (IllegalArgumentException e) {
                throw new TufException.BadFormat(fileName + " signature by key " + keyid + " is not hex");
            }
        }
        return new Envelope(fileName, signed, List.copyOf(sigs), raw.clone());
    }

    /** The {@code _type} of the signed object, or {@code ""} if it has none. */
    String type() {
        JsonNode t = signed.get("_type");
        return t != null && t.isTextual() ? t.textValue() : "";
    }

    /** The canonical JSON bytes that signatures cover (tuf-spec 4.2 Metaformat). */
    byte[] canonicalSigned() throws TufException.BadFormat {
        try {
            return CanonicalJson.encode(signed);
        } catch (IllegalArgumentException e) {
            throw new TufException.BadFormat(fileName + " has no canonical JSON form: " + e.getMessage(), e);
        }
    }

    /**
     * Checks that at least {@code role.threshold()} distinct keys of {@code role} signed this
     * file. A key counts once however many signatures it made, even under two keyids (two key
     * objects for the same public key, as in CVE-2020-15093), and a signature by a key not
     * listed for the role counts for nothing.
     */
    void verify(String roleName, Map<String, Key> keys, RoleKeys role) throws TufException {
        byte[] message = canonicalSigned();
        Set<String> counted = new HashSet<>();
        for (Sig s : signatures) {
            Key k = keys.get(s.keyid());
            if (k == null || !role.keyids().contains(s.keyid()) || !k.verify(message, s.sig())) {
                continue;
            }
            PublicKey pk = k.publicKey();
            counted.add(k.type() + ":" + HEX.formatHex(pk.getEncoded()));
        }
        if (counted.size() < role.threshold()) {
            throw new TufException.BadSignature(fileName + " has " + counted.size() + " valid signature"
                    + (counted.size() == 1 ? "" : "s") + " from the " + roleName + " role's keys, "
                    + role.threshold() + " required (threshold)");
        }
    }

    /** The bytes of a signed metadata file: {@code signed} signed by each of {@code keys}, pretty printed. */
    static byte[] sign(JsonNode signed, List<SigningKey> keys) {
        byte[] message = CanonicalJson.encode(signed);
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode sigs = root.putArray("signatures");
        for (SigningKey k : keys) {
            sigs.addObject().put("keyid", k.keyid()).put("sig", HEX.formatHex(k.sign(message)));
        }
        root.set("signed", signed);
        try {
            return CanonicalJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
