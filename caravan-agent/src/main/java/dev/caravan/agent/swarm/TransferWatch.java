package dev.caravan.agent.swarm;

/**
 * The minimum-rate rule for one direction of one connection: over each window of
 * {@code graceNanos} of busy time (time during which the peer owes us bytes: our requests
 * outstanding, or our DATA waiting for it to read), at least {@code minBytesPerSecond} must have
 * moved. Busy time only counts while busy, so a connection with nothing to do is never judged,
 * and bytes that moved while idle still count in its favour. Pure: the caller passes the time and
 * the bytes, on the connection's event loop.
 */
final class TransferWatch {
    /*
     * Implementation notes
     *
     * Bytes are the connection's raw bytes (after TLS, before the frame decoder), not whole DATA
     * frames: a 256 KiB block at the minimum rate takes 32 s, longer than the default grace, and
     * counting only completed frames would cut off an honest slow peer in the middle of a block. A
     * peer that drips a frame one byte at a time moves almost nothing and is judged at the end of
     * its first busy window. Tumbling windows (judged, then started afresh) keep no history; the
     * origin client applies the same rule (OriginClientConfig.minBytesPerSecond / minRateGrace).
     */
    private final long minBytesPerSecond;
    private final long graceNanos;
    private long busyNanos;
    private long bytes;
    private long lastCheck = Long.MIN_VALUE;

    TransferWatch(long minBytesPerSecond, long graceNanos) {
        this.minBytesPerSecond = minBytesPerSecond;
        this.graceNanos = graceNanos;
    }

    void moved(long n) {
        bytes += n;
    }

    /**
     * Counts the time since the last check as busy if {@code busy}; at the end of a window, returns
     * the rate seen (bytes/s) if it was below the minimum, else -1.
     */
    double check(long now, boolean busy) {
        if (lastCheck != Long.MIN_VALUE && busy && now > lastCheck) {
            busyNanos += now - lastCheck;
        }
        lastCheck = now;
        if (minBytesPerSecond == 0 || busyNanos < graceNanos) {
            return -1;
        }
        double rate = bytes * 1e9 / busyNanos;
        busyNanos = 0;
        bytes = 0;
        return rate < minBytesPerSecond ? rate : -1;
    }
}
