package dev.caravan.wire;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * HELLO, the first message each side sends: which protocol version it speaks, who it is, which
 * group it belongs to and where it listens.
 *
 * <p>Layout: {@code u16 version | u8 idLength | id | u8 groupLength | group (ASCII) | u16 listenPort}.
 *
 * @param protocolVersion the highest protocol version the sender speaks, from 1 to 65535
 * @param peerId the sender's peer id
 * @param group the sender's group, as {@link #requireGroup} allows
 * @param listenPort the TCP port the sender accepts peers on, or {@link #NOT_LISTENING} (0)
 */
public record Hello(int protocolVersion, PeerId peerId, String group, int listenPort) implements Message {
    /** The highest protocol version this code speaks (it speaks every version from 1 up to it). */
    public static final int PROTOCOL_VERSION = 2;
    public static final int NOT_LISTENING = 0;
    public static final int MAX_GROUP_LENGTH = 64;
    static final int MIN_PAYLOAD_BYTES = 2 + 1 + PeerId.DEFAULT_BYTES + 1 + 1 + 2;
    static final int MAX_PAYLOAD_BYTES = 2 + 1 + PeerId.LONG_BYTES + 1 + MAX_GROUP_LENGTH + 2;
    private static final Pattern GROUP = Pattern.compile("[a-z0-9][a-z0-9._-]{0," + (MAX_GROUP_LENGTH - 1) + "}");

    public Hello {
        if (protocolVersion < 1 || protocolVersion > 0xFFFF) {
            throw new IllegalArgumentException("protocol version must be from 1 to 65535, got " + protocolVersion);
        }
        Objects.requireNonNull(peerId, "peerId");
        requireGroup(group);
        if (listenPort < 0 || listenPort > 0xFFFF) {
            throw new IllegalArgumentException("listen port must be from 0 (not listening) to 65535, got " + listenPort);
        }
    }

    /**
     * Checks a group name: 1 to {@value #MAX_GROUP_LENGTH} characters of lowercase ASCII letters,
     * digits, '.', '_' and '-', starting with a letter or digit (for example {@code paris-office}).
     *
     * @return the name
     */
    public static String requireGroup(String group) {
        if (group == null || !GROUP.matcher(group).matches()) {
            throw new IllegalArgumentException("a group is 1 to " + MAX_GROUP_LENGTH
                    + " characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit; got "
                    + (group == null ? "null" : "\"" + abbreviate(group) + "\""));
        }
        return group;
    }

    /** Whether the sender accepts connections. */
    public boolean listening() {
        return listenPort != NOT_LISTENING;
    }

    int payloadBytes() {
        return 2 + 1 + peerId.length() + 1 + group.length() + 2;
    }

    byte[] groupBytes() {
        return group.getBytes(StandardCharsets.US_ASCII);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
