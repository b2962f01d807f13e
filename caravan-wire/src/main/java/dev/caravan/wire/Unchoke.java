package dev.caravan.wire;

/**
 * UNCHOKE: the sender now serves the receiver's requests. Every connection starts choked in both
 * directions. Empty payload.
 */
public record Unchoke() implements Message {
    public static final Unchoke INSTANCE = new Unchoke();
}
