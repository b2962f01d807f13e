package dev.caravan.wire;

/**
 * FETCHING (protocol version 2): the sender has begun fetching the chunk at this index from the
 * origin, and will send HAVE once it holds it verified. A receiver does not fetch that chunk from
 * the origin itself meanwhile; it gets it from the sender. Sent as the first origin request for
 * the chunk goes out, and, for the chunks still on their way, to a peer whose connection becomes
 * ready later.
 *
 * <p>Layout: {@code u32 chunk}.
 *
 * @param chunk the chunk's index in the interest's distinct chunk list
 */
public record Fetching(int chunk) implements Message {
    static final int PAYLOAD_BYTES = 4;
    /** The protocol version that introduced this message. */
    public static final int SINCE_VERSION = 2;
    /**
     * The most chunks a sender may have announced with FETCHING and not yet with HAVE; a peer that
     * goes beyond it breaks the protocol. Bounds what a lying peer can hold back from the origin
     * (until the receiver's origin fallback delay).
     */
    public static final int MAX_OUTSTANDING = 16;

    public Fetching {
        BlockRange.requireChunkIndex(chunk);
    }
}
