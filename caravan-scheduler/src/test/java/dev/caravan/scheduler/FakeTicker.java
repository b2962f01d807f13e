package dev.caravan.scheduler;

import java.time.Duration;

/** A ticker that only moves when a test advances it. */
final class FakeTicker implements Ticker {
    private long nanos = 1_000_000_000L;

    @Override
    public long read() {
        return nanos;
    }

    void advance(Duration d) {
        nanos += d.toNanos();
    }

    void advanceTo(long nanos) {
        if (nanos > this.nanos) {
            this.nanos = nanos;
        }
    }
}
