package dev.caravan.wire;

/**
 * PING: answer with a {@link Pong} carrying the same nonce. It keeps an idle connection alive
 * and measures its round-trip time, which the scheduler uses to rank sources.
 *
 * <p>Layout: {@code u64 nonce}.
 */
public record Ping(long nonce) implements Message {
    static final int PAYLOAD_BYTES = 8;
}
