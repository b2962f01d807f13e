package dev.caravan.agent.seed;

/**
 * A byte-rate limit for a {@link TokenBucket}: a sustained rate and the burst allowed on top of
 * it.
 *
 * <table>
 * <caption>settings</caption>
 * <tr><th>setting</th><th>unit</th><th>meaning</th></tr>
 * <tr><td>bytesPerSecond</td><td>bytes/s</td><td>the sustained rate; 0 means unlimited</td></tr>
 * <tr><td>burstBytes</td><td>bytes</td><td>the most that may go at once after a quiet spell, from 1 to
 *     {@link #MAX_BURST_BYTES}; ignored (and may be 0) when the rate is unlimited</td></tr>
 * </table>
 *
 * @param bytesPerSecond sustained rate in bytes per second, 0 for unlimited
 * @param burstBytes     bucket size in bytes
 */
public record RateLimit(long bytesPerSecond, long burstBytes) {

    /** The largest burst (about 8.6 GB): the bucket keeps sub-byte credit in nanobytes. */
    public static final long MAX_BURST_BYTES = Long.MAX_VALUE / 1_000_000_000L;

    /** No limit. */
    public static final RateLimit UNLIMITED = new RateLimit(0, 0);

    public RateLimit {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException(
                    "rate limit: bytesPerSecond is " + bytesPerSecond + "; must be 0 (unlimited) or positive");
        }
        if (burstBytes < 0 || burstBytes > MAX_BURST_BYTES) {
            throw new IllegalArgumentException("rate limit: burstBytes is " + burstBytes
                    + "; must be from 0 to " + MAX_BURST_BYTES);
        }
        if (bytesPerSecond > 0 && burstBytes == 0) {
            throw new IllegalArgumentException("rate limit: burstBytes is 0 with bytesPerSecond " + bytesPerSecond
                    + "; a limited bucket needs a burst of at least 1 byte");
        }
    }

    /** A limit of {@code bytesPerSecond} with one second's worth of burst (0 is unlimited). */
    public static RateLimit perSecond(long bytesPerSecond) {
        return new RateLimit(bytesPerSecond, Math.min(bytesPerSecond, MAX_BURST_BYTES));
    }

    /** Whether this is no limit at all. */
    public boolean unlimited() {
        return bytesPerSecond == 0;
    }
}
