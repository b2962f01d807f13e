package dev.caravan.origin.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of an {@link OriginClient}. Checked once, here; a bad value fails naming the
 * setting and the value.
 *
 * @param maxConnectionsPerHost keep-alive connections kept open to one origin (scheme, host,
 *     port); more requests than that wait for a free connection. 1..256
 * @param connectTimeout how long a TCP connect, and a TLS handshake, may take
 * @param readTimeout how long a request may wait for the next byte of its response; on its own
 *     it never cuts short a request that is still receiving, however slowly (that is
 *     {@code minBytesPerSecond}'s job)
 * @param trustedCaPem a PEM file of CA certificates that https origins must chain to, or
 *     {@code null} to trust the JDK's default trust store
 * @param ioThreads I/O threads shared by all connections, at least 1
 * @param minBytesPerSecond the slowest a response may come, in bytes of body per second,
 *     averaged from when its request was sent; checked once {@code minRateGrace} has passed, so
 *     a request still in progress then must have received at least
 *     {@code minBytesPerSecond × elapsed seconds} bytes. Below it the request fails and its
 *     connection is closed (TUF's slow-retrieval attack). 0 turns the check off; default
 *     8192 (8 KiB/s)
 * @param minRateGrace how long a request runs before {@code minBytesPerSecond} applies: it
 *     covers a TLS handshake, a slow first byte and TCP slow start, and a file smaller than
 *     {@code minBytesPerSecond × minRateGrace} (240 KiB by default) need only arrive within it.
 *     Positive, at most 1 day; default 30 s
 */
public record OriginClientConfig(
        int maxConnectionsPerHost,
        Duration connectTimeout,
        Duration readTimeout,
        Path trustedCaPem,
        int ioThreads,
        long minBytesPerSecond,
        Duration minRateGrace) {

    public static final int DEFAULT_MAX_CONNECTIONS_PER_HOST = 4;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    /** One I/O thread per core, at most 4 (the connections per host are spread over them). */
    public static final int DEFAULT_IO_THREADS = Math.min(4, Runtime.getRuntime().availableProcessors());
    /** 8 KiB/s: 64 kbit/s, far below any link an update should be fetched over. */
    public static final long DEFAULT_MIN_BYTES_PER_SECOND = 8 * 1024;
    public static final Duration DEFAULT_MIN_RATE_GRACE = Duration.ofSeconds(30);
    /** The longest {@code minRateGrace}: beyond it the check would be no check at all (use 0 bytes/s instead). */
    static final Duration MAX_MIN_RATE_GRACE = Duration.ofDays(1);

    public OriginClientConfig {
        if (maxConnectionsPerHost < 1 || maxConnectionsPerHost > 256) {
            throw new IllegalArgumentException(
                    "origin client maxConnectionsPerHost must be in 1..256, got " + maxConnectionsPerHost);
        }
        requirePositive("connectTimeout", connectTimeout);
        if (connectTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("origin client connectTimeout must be under 24 days, got " + connectTimeout);
        }
        requirePositive("readTimeout", readTimeout);
        if (ioThreads < 1) {
            throw new IllegalArgumentException("origin client ioThreads must be >= 1, got " + ioThreads);
        }
        if (minBytesPerSecond < 0) {
            throw new IllegalArgumentException(
                    "origin client minBytesPerSecond must be >= 0 (0 = no minimum), got " + minBytesPerSecond);
        }
        requirePositive("minRateGrace", minRateGrace);
        if (minRateGrace.compareTo(MAX_MIN_RATE_GRACE) > 0) {
            throw new IllegalArgumentException("origin client minRateGrace must be at most 1 day, got " + minRateGrace);
        }
    }

    /**
     * 4 connections per host, connect timeout 10 s, read timeout 30 s, JDK trust store, at least
     * 8 KiB/s after the first 30 s.
     */
    public static OriginClientConfig defaults() {
        return new OriginClientConfig(DEFAULT_MAX_CONNECTIONS_PER_HOST, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT,
                null, DEFAULT_IO_THREADS, DEFAULT_MIN_BYTES_PER_SECOND, DEFAULT_MIN_RATE_GRACE);
    }

    public OriginClientConfig withMaxConnectionsPerHost(int connections) {
        return new OriginClientConfig(connections, connectTimeout, readTimeout, trustedCaPem, ioThreads,
                minBytesPerSecond, minRateGrace);
    }

    public OriginClientConfig withConnectTimeout(Duration timeout) {
        return new OriginClientConfig(maxConnectionsPerHost, timeout, readTimeout, trustedCaPem, ioThreads,
                minBytesPerSecond, minRateGrace);
    }

    public OriginClientConfig withReadTimeout(Duration timeout) {
        return new OriginClientConfig(maxConnectionsPerHost, connectTimeout, timeout, trustedCaPem, ioThreads,
                minBytesPerSecond, minRateGrace);
    }

    /** Trusts only the CA certificates in this PEM file for https ({@code null}: the JDK's trust store). */
    public OriginClientConfig withTrustedCaPem(Path caPem) {
        return new OriginClientConfig(maxConnectionsPerHost, connectTimeout, readTimeout, caPem, ioThreads,
                minBytesPerSecond, minRateGrace);
    }

    public OriginClientConfig withIoThreads(int threads) {
        return new OriginClientConfig(maxConnectionsPerHost, connectTimeout, readTimeout, trustedCaPem, threads,
                minBytesPerSecond, minRateGrace);
    }

    /** The slowest average rate a response may come at once {@link #minRateGrace} has passed; 0: no minimum. */
    public OriginClientConfig withMinBytesPerSecond(long bytesPerSecond) {
        return new OriginClientConfig(maxConnectionsPerHost, connectTimeout, readTimeout, trustedCaPem, ioThreads,
                bytesPerSecond, minRateGrace);
    }

    public OriginClientConfig withMinRateGrace(Duration grace) {
        return new OriginClientConfig(maxConnectionsPerHost, connectTimeout, readTimeout, trustedCaPem, ioThreads,
                minBytesPerSecond, grace);
    }

    private static void requirePositive(String setting, Duration value) {
        Objects.requireNonNull(value, "origin client " + setting);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("origin client " + setting + " must be positive, got " + value);
        }
    }
}
