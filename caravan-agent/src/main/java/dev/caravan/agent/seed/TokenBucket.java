package dev.caravan.agent.seed;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A token bucket that caps a byte rate without blocking: a caller takes what may go now and,
 * when that is nothing, asks how long until more may go and schedules its retry.
 *
 * <p>Meant for the global upload and download caps, shared by every peer connection. A Netty
 * handler calls {@link #tryTake} before writing (or before reading, with auto-read off), writes
 * what it was granted, and if it was granted less than it wanted schedules the rest on its event
 * loop after {@link #nanosUntil} nanoseconds. The bucket starts full. Thread-safe.
 */
public final class TokenBucket {

    /*
     * Implementation notes.
     *
     * There is no refill thread: every call first credits the time elapsed since the previous
     * call, which is the classic lazy token bucket (Turner, "New directions in communications",
     * 1986; RFC 2697 describes the same meter). Credit is kept exactly: whole bytes in `tokens`
     * and the fraction of a byte in `carryNanobytes` (units of 1e-9 byte, always below 1e9), so
     * elapsed * rate is never rounded away however finely calls slice time. That exactness is
     * what makes nanosUntil exact: after nanosUntil(b) = t, b bytes are there at t and not at
     * t - 1.
     *
     * Clock: only differences between readings count. A reading below the previous one (a
     * supplier that is not monotonic) credits nothing and becomes the new reference, so credit
     * never goes negative and a clock stepped back does not stall the bucket. A large jump
     * forward fills the bucket and no more: credit is capped at the burst, and the fraction is
     * dropped when full. Products that would overflow a long mean the credit exceeds 2^63
     * nanobytes, which is more than any allowed burst (RateLimit.MAX_BURST_BYTES), so they simply
     * fill the bucket.
     *
     * Unlimited (0 bytes/s) grants everything and never waits; switching from unlimited to a
     * limit starts a full bucket. `synchronized` is enough: the critical section is a few
     * arithmetic operations, and contention is across a handful of event loops.
     */

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final LongSupplier nanoTime;
    private RateLimit limit;
    private long tokens;
    private long carryNanobytes;
    private long lastNanos;

    /**
     * A full bucket.
     *
     * @param limit    the rate and burst
     * @param nanoTime monotonic time in nanoseconds ({@code System::nanoTime} in production)
     */
    public TokenBucket(RateLimit limit, LongSupplier nanoTime) {
        this.limit = Objects.requireNonNull(limit, "limit");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.tokens = limit.burstBytes();
        this.lastNanos = nanoTime.getAsLong();
    }

    /**
     * Takes up to {@code wanted} bytes of allowance: returns how many may go now, from 0 (the
     * bucket is empty) to {@code wanted}. Unlimited buckets return {@code wanted}.
     */
    public synchronized long tryTake(long wanted) {
        requireNotNegative("wanted", wanted);
        if (limit.unlimited()) {
            return wanted;
        }
        refill();
        long granted = Math.min(wanted, tokens);
        tokens -= granted;
        return granted;
    }

    /**
     * How many nanoseconds from now until {@code bytes} bytes may be taken at once; 0 if they
     * may be taken now. The bucket never holds more than its burst, so a request above the burst
     * is answered for the burst, which is the most that {@link #tryTake} will then grant.
     */
    public synchronized long nanosUntil(long bytes) {
        requireNotNegative("bytes", bytes);
        if (limit.unlimited()) {
            return 0;
        }
        refill();
        long target = Math.min(bytes, limit.burstBytes());
        if (tokens >= target) {
            return 0;
        }
        // (target - tokens) <= burst <= MAX_BURST_BYTES, so the product fits in a long.
        long missingNanobytes = (target - tokens) * NANOS_PER_SECOND - carryNanobytes;
        return Math.ceilDiv(missingNanobytes, limit.bytesPerSecond());
    }

    /** The bytes that may be taken now ({@link Long#MAX_VALUE} when unlimited). */
    public synchronized long available() {
        if (limit.unlimited()) {
            return Long.MAX_VALUE;
        }
        refill();
        return tokens;
    }

    /** The limit in force. */
    public synchronized RateLimit limit() {
        return limit;
    }

    /**
     * Changes the limit, for example on entering background mode. Time elapsed so far is
     * credited at the old rate; the allowance left is cut to the new burst if it is smaller.
     */
    public synchronized void setLimit(RateLimit newLimit) {
        Objects.requireNonNull(newLimit, "newLimit");
        if (!limit.unlimited()) {
            refill();
        } else {
            lastNanos = nanoTime.getAsLong();
            tokens = newLimit.burstBytes();
            carryNanobytes = 0;
        }
        limit = newLimit;
        if (tokens >= newLimit.burstBytes()) {
            tokens = newLimit.burstBytes();
            carryNanobytes = 0;
        }
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        long elapsed = now - lastNanos;
        lastNanos = now;
        if (elapsed <= 0) {
            return;
        }
        long burst = limit.burstBytes();
        if (tokens >= burst) {
            carryNanobytes = 0;
            return;
        }
        long rate = limit.bytesPerSecond();
        long product = elapsed * rate;
        if (Math.multiplyHigh(elapsed, rate) != 0 || product < 0 || product > Long.MAX_VALUE - carryNanobytes) {
            fill();
            return;
        }
        long creditNanobytes = product + carryNanobytes;
        long creditBytes = creditNanobytes / NANOS_PER_SECOND;
        if (creditBytes >= burst - tokens) {
            fill();
            return;
        }
        tokens += creditBytes;
        carryNanobytes = creditNanobytes % NANOS_PER_SECOND;
    }

    private void fill() {
        tokens = limit.burstBytes();
        carryNanobytes = 0;
    }

    private static void requireNotNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " is " + value + "; must not be negative");
        }
    }
}
