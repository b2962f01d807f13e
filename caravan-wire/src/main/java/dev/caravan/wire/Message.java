package dev.caravan.wire;

/**
 * One message of the Caravan peer protocol: what travels in one frame
 * ({@code u32 length | u8 type | payload}). {@code docs/protocol.md} is the specification; each
 * record validates its fields in its compact constructor, so a {@code Message} that exists is one
 * that may be sent.
 *
 * <p>Only {@link Data} holds a reference-counted buffer; see its ownership rules.
 */
public sealed interface Message
        permits Hello, Interest, Bitfield, Have, Request, Data, Cancel, Reject, Choke, Unchoke, Ping, Pong, Goodbye, Fetching {

    /** The frame type byte of this message. */
    default MessageType type() {
        return MessageType.of(this);
    }
}
