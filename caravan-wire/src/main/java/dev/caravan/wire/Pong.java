package dev.caravan.wire;

/**
 * PONG: the answer to a {@link Ping}, with its nonce.
 *
 * <p>Layout: {@code u64 nonce}.
 */
public record Pong(long nonce) implements Message {
}
