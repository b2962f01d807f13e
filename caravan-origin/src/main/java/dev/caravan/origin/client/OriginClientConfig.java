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
 * @param readTimeout how long a request may wait for the next byte of its response; a request
 *     still receiving is never cut short however long the whole response takes
 * @param trustedCaPem a PEM file of CA certificates that https origins must chain to, or
 *     {@code null} to trust the JDK's default trust store
 * @param ioThreads I/O threads shared by all connections, at least 1
 */
public record OriginClientConfig(
        int maxConnectionsPerHost,
        Duration connectTimeout,
        Duration readTimeout,
        Path trustedCaPem,
        int ioThreads) {

    public static final int DEFAULT_MAX_CONNECTIONS_PER_HOST = 4;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    /** One I/O thread per core, at most 4 (the connections per host are spread over them). */
    public static final int DEFAULT_IO_THREADS = Math.min(4, Runtime.getRuntime().availableProcessors());

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
    }

    /** 4 connections per host, connect timeout 10 s, read timeout 30 s, JDK trust store. */
    public static OriginClientConfig defaults() {
        return new OriginClientConfig(DEFAULT_MAX_CONNECTIONS_PER_HOST, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT,
                null, DEFAULT_IO_THREADS);
    }

    public OriginClientConfig withMaxConnectionsPerHost(int connections) {
        return new OriginClientConfig(connections, connectTimeout, readTimeout, trustedCaPem, ioThreads);
    }

    public OriginClientConfig withConnectTimeout(Duration timeout) {
        return new OriginClientConfig(maxConnectionsPerHost, timeout, readTimeout, trustedCaPem, ioThreads);
    }

    public OriginClientConfig withReadTimeout(Duration timeout) {
        return new OriginClientConfig(maxConnectionsPerHost, connectTimeout, timeout, trustedCaPem, ioThreads);
    }

    /** Trusts only the CA certificates in this PEM file for https ({@code null}: the JDK's trust store). */
    public OriginClientConfig withTrustedCaPem(Path caPem) {
        return new OriginClientConfig(maxConnectionsPerHost, connectTimeout, readTimeout, caPem, ioThreads);
    }

    public OriginClientConfig withIoThreads(int threads) {
        return new OriginClientConfig(maxConnectionsPerHost, connectTimeout, readTimeout, trustedCaPem, threads);
    }

    private static void requirePositive(String setting, Duration value) {
        Objects.requireNonNull(value, "origin client " + setting);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("origin client " + setting + " must be positive, got " + value);
        }
    }
}
