package dev.caravan.wire;

import java.util.Objects;

/**
 * REJECT: I will not send this block, and why. It lets a downloader move a request elsewhere at
 * once instead of waiting for a timeout.
 *
 * <p>Layout: {@code u32 chunk | u32 offset | u32 length | u8 reason}.
 */
public record Reject(int chunk, int offset, int length, Reason reason) implements Message {
    static final int PAYLOAD_BYTES = BlockRange.PAYLOAD_BYTES + 1;

    public Reject {
        new BlockRange(chunk, offset, length);
        Objects.requireNonNull(reason, "reason");
    }

    public Reject(BlockRange range, Reason reason) {
        this(range.chunk(), range.offset(), range.length(), reason);
    }

    public BlockRange range() {
        return new BlockRange(chunk, offset, length);
    }

    /** Why a block is refused. A code this version does not know reads as {@link #OTHER}. */
    public enum Reason {
        /** None of the below, or a code from a newer version. */
        OTHER(0),
        /** The sender does not hold that chunk (any more: it may have been evicted). */
        NOT_HELD(1),
        /** The sender has choked the requester; requests sent before CHOKE arrived are rejected. */
        CHOKED(2),
        /** The requester has more requests in flight than the sender accepts. */
        TOO_MANY_REQUESTS(3),
        /** The block lies outside the chunk. */
        OUT_OF_RANGE(4);

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
