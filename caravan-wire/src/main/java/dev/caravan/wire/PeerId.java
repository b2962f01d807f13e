package dev.caravan.wire;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A peer's name in the swarm: {@value #DEFAULT_BYTES} (or {@value #LONG_BYTES}) random bytes an
 * agent draws once and keeps in its state folder. It names a machine to the tracker and to other
 * peers so that two connections to the same machine can be told apart; it proves nothing (the TLS
 * certificate does).
 *
 * @param bytes the id; copied in and out
 */
public record PeerId(byte[] bytes) {
    public static final int DEFAULT_BYTES = 16;
    public static final int LONG_BYTES = 32;
    private static final HexFormat HEX = HexFormat.of();

    public PeerId {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != DEFAULT_BYTES && bytes.length != LONG_BYTES) {
            throw new IllegalArgumentException("a peer id has " + DEFAULT_BYTES + " or " + LONG_BYTES
                    + " bytes, got " + bytes.length);
        }
        bytes = bytes.clone();
    }

    /** A new random id of {@value #DEFAULT_BYTES} bytes. */
    public static PeerId random(SecureRandom random) {
        byte[] b = new byte[DEFAULT_BYTES];
        random.nextBytes(b);
        return new PeerId(b);
    }

    /** Parses the lowercase hex form that {@link #toString()} gives. */
    public static PeerId parse(String hex) {
        try {
            return new PeerId(HEX.parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a peer id (32 or 64 hex characters): \"" + hex + "\"", e);
        }
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The id in lowercase hex. */
    @Override
    public String toString() {
        return HEX.formatHex(bytes);
    }
}
