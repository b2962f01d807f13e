package dev.caravan.core;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A SHA-256 digest, the name of every chunk, file and manifest in Caravan, held as 64 lowercase
 * hex characters.
 */
public record Digest(String hex) implements Comparable<Digest> {
    private static final HexFormat HEX = HexFormat.of();

    public Digest {
        if (!isLowercaseHex64(hex)) {
            throw new IllegalArgumentException("not a SHA-256 digest (64 lowercase hex characters): " + abbreviate(hex));
        }
    }

    /**
     * A loop, not a regular expression: an agent makes thousands of digests when it reads a
     * manifest, mostly while its code still runs interpreted.
     */
    private static boolean isLowercaseHex64(String hex) {
        if (hex == null || hex.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = hex.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    /** Parses a digest, failing with a message naming the bad value. */
    public static Digest parse(String hex) {
        return new Digest(hex);
    }

    public static Digest ofBytes(byte[] sha256) {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, got " + sha256.length);
        }
        return new Digest(HEX.formatHex(sha256));
    }

    /** The SHA-256 of {@code data}. */
    public static Digest sha256(byte[] data) {
        return ofBytes(newSha256().digest(data));
    }

    /** The SHA-256 of {@code data[offset, offset + length)}. */
    public static Digest sha256(byte[] data, int offset, int length) {
        MessageDigest md = newSha256();
        md.update(data, offset, length);
        return ofBytes(md.digest());
    }

    /** The SHA-256 of the remaining bytes of {@code data}; consumes them. */
    public static Digest sha256(ByteBuffer data) {
        MessageDigest md = newSha256();
        md.update(data);
        return ofBytes(md.digest());
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    public byte[] bytes() {
        return HEX.parseHex(hex);
    }

    /** The first 12 hex characters, for messages and logs. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public int compareTo(Digest o) {
        return hex.compareTo(o.hex);
    }

    @Override
    public String toString() {
        return hex;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 80 ? "\"" + s.substring(0, 80) + "…\"" : "\"" + s + "\"";
    }
}
