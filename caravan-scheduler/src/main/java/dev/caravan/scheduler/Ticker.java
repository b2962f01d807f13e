package dev.caravan.scheduler;

/**
 * A source of monotonic time in nanoseconds, injected so that tests advance time by hand.
 *
 * <p>Production code passes {@code System::nanoTime}; only differences between readings mean
 * anything.
 */
@FunctionalInterface
public interface Ticker {
    /** The current time in nanoseconds from an arbitrary origin. */
    long read();

    /** The system's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
