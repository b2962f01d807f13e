package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.Digest;
import dev.caravan.core.json.CanonicalJson;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A public key as TUF metadata lists it (tuf-spec 4.2 "KEY"): its keyid, its type, the JSON
 * object exactly as received, and the decoded JDK key ({@code null} when the key type is not
 * one Caravan supports: such a key never verifies anything, but does not make the metadata
 * unreadable).
 */
record Key(String keyid, KeyType type, JsonNode json, PublicKey publicKey) {
    private static final HexFormat HEX = HexFormat.of();
    /** The DER prefix of an X.509 SubjectPublicKeyInfo holding a raw 32-byte Ed25519 key (RFC 8410). */
    private static final byte[] ED25519_SPKI_PREFIX = HEX.parseHex("302a300506032b6570032100");

    /**
     * Reads the key object {@code node} listed under {@code claimedKeyid} in {@code where} and
     * checks that the keyid is the SHA-256 of the key's canonical JSON (tuf-spec 4.3: "Clients
     * MUST calculate each KEYID to verify this is correct for the associated key").
     */
    static Key parse(String where, String claimedKeyid, JsonNode node) throws TufException.BadFormat {
        MetadataReader r = new MetadataReader(where + " key " + claimedKeyid, node);
        String keytype = r.text("keytype");
        String scheme = r.text("scheme");
        String pub = new MetadataReader(where + " key " + claimedKeyid + " keyval", r.object("keyval")).text("public");
        String keyid = keyidOf(node);
        if (!keyid.equals(claimedKeyid) && !claimedKeyid.equals(legacyKeyidOf(node))) {
            throw new TufException.BadFormat(where + " lists a key under keyid " + claimedKeyid
                    + " but its keyid is " + keyid);
        }
        keyid = claimedKeyid;
        KeyType type = KeyType.of(keytype, scheme);
        if (type == null) {
            return new Key(keyid, null, node.deepCopy(), null);
        }
        try {
            return new Key(keyid, type, node.deepCopy(), decodePublic(type, pub));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new TufException.BadFormat(where + " key " + keyid + " is not a valid " + scheme + " public key", e);
        }
    }

    /** The TUF key object for {@code publicKey}: {@code keytype}, {@code scheme}, {@code keyval.public}. */
    static Key of(KeyType type, PublicKey publicKey) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("keytype", type.keytype());
        node.put("scheme", type.scheme());
        String pub = switch (type) {
            case ED25519 -> {
                byte[] der = publicKey.getEncoded();
                yield HEX.formatHex(Arrays.copyOfRange(der, der.length - 32, der.length));
            }
            case ECDSA_P256, RSA_PSS_SHA256 -> Pem.encode("PUBLIC KEY", publicKey.getEncoded());
        };
        node.putObject("keyval").put("public", pub);
        return new Key(keyidOf(node), type, node, publicKey);
    }

    /**
     * The keyid securesystemslib gave keys before 2023: the hash of the key object with
     * {@code "keyid_hash_algorithms": ["sha256", "sha512"]} added, a field python-tuf 1.x to 3.x
     * drops when it writes the key. Metadata written by those versions lists keys under this
     * keyid, so it is accepted too: it is still the hash of the key's content, so one keyid
     * still names one key. {@code null} if the key already has that field.
     */
    static String legacyKeyidOf(JsonNode keyObject) {
        if (!keyObject.isObject() || keyObject.has("keyid_hash_algorithms")) {
            return null;
        }
        ObjectNode legacy = keyObject.deepCopy();
        legacy.putArray("keyid_hash_algorithms").add("sha256").add("sha512");
        return keyidOf(legacy);
    }

    /** The keyid of a key object: hex SHA-256 of its canonical JSON (tuf-spec 4.2 KEYID). */
    static String keyidOf(JsonNode keyObject) {
        return Digest.sha256(CanonicalJson.encode(keyObject)).hex();
    }

    /** Whether {@code signature} is this key's valid signature of {@code message}. Never throws. */
    boolean verify(byte[] message, byte[] signature) {
        if (publicKey == null) {
            return false;
        }
        return switch (type) {
            case ED25519 -> verifyWith("Ed25519", -1, message, signature);
            // securesystemslib and go-tuf write DER; accept the raw r||s form too.
            case ECDSA_P256 -> verifyWith("SHA256withECDSA", -1, message, signature)
                    || (signature.length == 64 && verifyWith("SHA256withECDSAinP1363Format", -1, message, signature));
            // Signers use a salt as long as the digest (32); securesystemslib once used the maximum.
            case RSA_PSS_SHA256 -> verifyWith("RSASSA-PSS", 32, message, signature)
                    || verifyWith("RSASSA-PSS", maxPssSalt(), message, signature);
        };
    }

    private int maxPssSalt() {
        int emLen = (((RSAPublicKey) publicKey).getModulus().bitLength() - 1 + 7) / 8;
        return emLen - 32 - 2;
    }

    static PSSParameterSpec pssParameters(int saltLength) {
        return new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, saltLength, 1);
    }

    /** One verification attempt; {@code pssSalt} is used for RSASSA-PSS only. False on any failure. */
    private boolean verifyWith(String algorithm, int pssSalt, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(algorithm);
            if (pssSalt >= 0) {
                s.setParameter(pssParameters(pssSalt));
            }
            s.initVerify(publicKey);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static PublicKey decodePublic(KeyType type, String pub) throws GeneralSecurityException {
        return switch (type) {
            case ED25519 -> {
                byte[] raw = HEX.parseHex(pub);
                if (raw.length != 32) {
                    throw new IllegalArgumentException("an ed25519 public key has 32 bytes, got " + raw.length);
                }
                byte[] der = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
                System.arraycopy(raw, 0, der, ED25519_SPKI_PREFIX.length, 32);
                yield KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            }
            case ECDSA_P256 -> KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(pemDer(pub)));
            case RSA_PSS_SHA256 -> {
                PublicKey k = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(pemDer(pub)));
                if (((RSAPublicKey) k).getModulus().bitLength() < 2048) {
                    throw new IllegalArgumentException("RSA keys must have at least 2048 bits (tuf-spec 4.2)");
                }
                yield k;
            }
        };
    }

    private static byte[] pemDer(String pem) {
        byte[] der = Pem.decode(pem, "PUBLIC KEY");
        if (der == null) {
            throw new IllegalArgumentException("no PEM PUBLIC KEY block");
        }
        return der;
    }
}
