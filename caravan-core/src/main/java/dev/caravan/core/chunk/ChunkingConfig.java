package dev.caravan.core.chunk;

/**
 * The sizes that FastCDC cuts chunks to: no chunk is shorter than {@code minBytes} (except the
 * last of a stream) or longer than {@code maxBytes}, and chunks average about {@code avgBytes}.
 *
 * <p>Every publisher of a deployment must use the same settings, or the same bytes get different
 * chunk names and stop being shared between releases.
 *
 * @param minBytes the smallest chunk, in bytes; at least {@value #SMALLEST_MIN_BYTES} and below {@code avgBytes}
 * @param avgBytes the target average chunk, in bytes; a power of two from {@value #SMALLEST_AVG_BYTES}
 *     to {@value #LARGEST_AVG_BYTES}
 * @param maxBytes the largest chunk, in bytes; above {@code avgBytes} and at most {@value #LARGEST_MAX_BYTES}
 */
public record ChunkingConfig(int minBytes, int avgBytes, int maxBytes) {
    public static final int SMALLEST_MIN_BYTES = 64;
    public static final int SMALLEST_AVG_BYTES = 256;
    public static final int LARGEST_AVG_BYTES = 1 << 24;
    /** The largest chunk any configuration allows (64 MiB); readers refuse longer chunks before allocating. */
    public static final int LARGEST_MAX_BYTES = 64 << 20;

    /** 256 KiB / 1 MiB / 4 MiB, the deployment default. */
    public static final ChunkingConfig DEFAULT = new ChunkingConfig(256 << 10, 1 << 20, 4 << 20);

    public ChunkingConfig {
        if (avgBytes < SMALLEST_AVG_BYTES || avgBytes > LARGEST_AVG_BYTES || Integer.bitCount(avgBytes) != 1) {
            throw new IllegalArgumentException("avgBytes must be a power of two from " + SMALLEST_AVG_BYTES
                    + " to " + LARGEST_AVG_BYTES + ", got " + avgBytes);
        }
        if (minBytes < SMALLEST_MIN_BYTES || minBytes >= avgBytes) {
            throw new IllegalArgumentException("minBytes must be at least " + SMALLEST_MIN_BYTES
                    + " and below avgBytes (" + avgBytes + "), got " + minBytes);
        }
        if (maxBytes <= avgBytes || maxBytes > LARGEST_MAX_BYTES) {
            throw new IllegalArgumentException("maxBytes must be above avgBytes (" + avgBytes + ") and at most "
                    + LARGEST_MAX_BYTES + ", got " + maxBytes);
        }
    }

    /** log2 of {@code avgBytes}: the number of fingerprint bits a cut point must have zero, before normalization. */
    int avgBits() {
        return Integer.numberOfTrailingZeros(avgBytes);
    }
}
