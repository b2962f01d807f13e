package dev.caravan.wire;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * GOODBYE: the sender is closing the connection, and why. Optional (a peer may just close), but it
 * tells the other side whether to come back: after {@link Reason#SHUTDOWN} later, after
 * {@link Reason#BANNED} never for this release.
 *
 * <p>Layout: {@code u8 reason | u8 messageLength | message (UTF-8, at most 255 bytes)}.
 *
 * @param reason why
 * @param message details for a person reading the other side's log; may be empty
 */
public record Goodbye(Reason reason, String message) implements Message {
    public static final int MAX_MESSAGE_BYTES = 255;
    static final int MIN_PAYLOAD_BYTES = 2;
    static final int MAX_PAYLOAD_BYTES = 2 + MAX_MESSAGE_BYTES;

    public Goodbye {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        int bytes = message.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("a goodbye message has at most " + MAX_MESSAGE_BYTES
                    + " bytes of UTF-8, got " + bytes);
        }
    }

    /** A goodbye whose message is cut to fit, at a character boundary. */
    public static Goodbye truncating(Reason reason, String message) {
        String m = message == null ? "" : message;
        while (m.getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
            int cut = m.length() - 1;
            if (Character.isLowSurrogate(m.charAt(cut))) {
                cut--;
            }
            m = m.substring(0, cut);
        }
        return new Goodbye(reason, m);
    }

    /** Why a connection ends. A code this version does not know reads as {@link #OTHER}. */
    public enum Reason {
        /** None of the below, or a code from a newer version. */
        OTHER(0),
        /** The sender is stopping; try again later. */
        SHUTDOWN(1),
        /** The receiver broke the protocol (a malformed frame, a message out of sequence). */
        PROTOCOL_ERROR(2),
        /** No protocol version both sides speak. */
        VERSION_UNSUPPORTED(3),
        /** The sender does not know the manifest named by INTEREST. */
        UNKNOWN_RELEASE(4),
        /** The receiver sent a chunk that failed verification and is banned for this release. */
        BANNED(5),
        /** The sender has as many connections as it accepts. */
        TOO_MANY_CONNECTIONS(6),
        /** Neither side has anything the other wants, or the connection was idle too long. */
        IDLE(7),
        /** The sender already has a connection to this peer id for this release. */
        DUPLICATE(8),
        /**
         * The receiver moved bytes below the sender's minimum rate while it owed some: it held the
         * sender's requests without answering them, or left the sender's DATA unread.
         */
        TOO_SLOW(9),
        /** The receiver's certificate is revoked (the CA's revocation list names its serial). */
        REVOKED(10);

        private final int code;

        Reason(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        static Reason ofCode(int code) {
            for (Reason r : values()) {
                if (r.code == code) {
                    return r;
                }
            }
            return OTHER;
        }
    }
}
