package dev.caravan.agent;

import java.time.Duration;
import java.util.Objects;

/**
 * How much of the chunk cache an agent keeps. Chunks that a kept release needs (an installed
 * version, the one being fetched) are never evicted; the others are, once they have gone unused
 * for {@code maxAge}, and oldest first while the cache holds more than {@code maxSizeBytes}.
 *
 * @param maxSizeBytes {@code cache.max_size}: the most bytes of chunks kept, at least 1 MiB
 * @param maxAge {@code cache.max_age}: how long a chunk no kept release needs stays; positive
 */
public record CachePolicy(long maxSizeBytes, Duration maxAge) {
    public static final CachePolicy DEFAULT = new CachePolicy(20L << 30, Duration.ofDays(30));

    public CachePolicy {
        if (maxSizeBytes < 1 << 20) {
            throw new IllegalArgumentException("cache maxSizeBytes must be at least 1 MiB, got " + maxSizeBytes);
        }
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("cache maxAge must be positive, got " + maxAge);
        }
    }
}
