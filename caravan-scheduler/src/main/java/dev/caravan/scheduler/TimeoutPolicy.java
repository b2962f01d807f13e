package dev.caravan.scheduler;

/**
 * The stall rule: when a source's oldest request has waited too long and all its requests should
 * move elsewhere.
 */
final class TimeoutPolicy {
    /*
     * Implementation notes
     *
     * A pipelined source answers its requests in order, so only the oldest one is timed, and from
     * the later of its send time and the source's previous block: the requests behind it are
     * queued, not late. Its allowance is max(floor, multiplier x length / measured throughput), the
     * expected transfer time at the rate the source has shown, with the floor covering sources not
     * yet measured and the jitter of fast ones. libtorrent has a fixed settings_pack::request_timeout
     * instead; scaling with the source's own rate notices a stalled fast peer sooner.
     */
    private final long floorNanos;
    private final double multiplier;

    TimeoutPolicy(SchedulerConfig config) {
        this.floorNanos = config.requestTimeoutFloor().toNanos();
        this.multiplier = config.requestTimeoutMultiplier();
    }

    /** Whether {@code source}'s oldest request has waited past its allowance at {@code now}. */
    boolean stalled(Source<?> source, long now) {
        if (source.inFlight() == 0) {
            return false;
        }
        return now - source.headWaitingSince() > allowanceNanos(source);
    }

    private long allowanceNanos(Source<?> source) {
        double rate = source.bytesPerSecond();
        if (Double.isNaN(rate) || rate <= 0) {
            return floorNanos;
        }
        double expected = multiplier * source.headLength() * 1e9 / rate;
        return (long) Math.max(floorNanos, Math.min(expected, Long.MAX_VALUE / 2.0));
    }
}
