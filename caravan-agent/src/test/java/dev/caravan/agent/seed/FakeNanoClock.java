package dev.caravan.agent.seed;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A nanosecond clock that only moves when a test moves it. */
final class FakeNanoClock implements LongSupplier {
    private long nanos = 1_000_000_000L;

    @Override
    public long getAsLong() {
        return nanos;
    }

    void advance(Duration d) {
        nanos += d.toNanos();
    }

    void advanceNanos(long n) {
        nanos += n;
    }
}
