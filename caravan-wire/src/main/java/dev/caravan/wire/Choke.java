package dev.caravan.wire;

/**
 * CHOKE: the sender will not serve the receiver's requests until it sends {@link Unchoke}; a
 * request still in flight is answered with {@link Reject.Reason#CHOKED}. This is how an uploader
 * rotates its few upload slots. Empty payload.
 */
public record Choke() implements Message {
    public static final Choke INSTANCE = new Choke();
}
