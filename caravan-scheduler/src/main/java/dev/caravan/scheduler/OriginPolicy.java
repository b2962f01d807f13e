package dev.caravan.scheduler;

/**
 * The origin's rule: when a chunk may be fetched from the origin rather than from peers.
 */
final class OriginPolicy {
    /*
     * Implementation notes
     *
     * The origin is the most expensive source (WAN egress, a shared upload link), so it is a
     * fallback: a chunk goes to it when no connected peer has it once originGrace has passed since
     * the start (bitfields arrive within a round trip or two of connecting), or when the chunk has
     * been wanted for originFallbackDelay, the analogue of Delivery Optimization's HTTP fallback
     * delay (the DODelayForegroundDownloadFromHttp and DODelayBackgroundDownloadFromHttp policies). Even then the origin is offered
     * blocks only after every peer has filled its pipeline, and holds at most originMaxInFlight of
     * them, so it serves what peers cannot.
     *
     * Every chunk is wanted from the start of the download, so the fallback delay counts from there.
     */
    private final long startedAt;
    private final long graceNanos;
    private final long fallbackDelayNanos;

    OriginPolicy(SchedulerConfig config, long startedAt) {
        this.startedAt = startedAt;
        this.graceNanos = config.originGrace().toNanos();
        this.fallbackDelayNanos = config.originFallbackDelay().toNanos();
    }

    /** Whether a chunk that {@code peersWithChunk} connected peers have may come from the origin at {@code now}. */
    boolean mayFetch(int peersWithChunk, long now) {
        long elapsed = now - startedAt;
        return (peersWithChunk == 0 && elapsed >= graceNanos) || elapsed >= fallbackDelayNanos;
    }
}
