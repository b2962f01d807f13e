package dev.caravan.tracker;

import dev.caravan.wire.tls.TlsFiles;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link TrackerClient}. Checked when the record is made; a bad value fails
 * naming the setting and the value.
 *
 * @param host the tracker's host name or address
 * @param port the tracker's port, 1 to 65535
 * @param tls the agent's certificate (role agent), key and the deployment CA
 * @param connectTimeout how long to wait for the TCP connection (default 5 s)
 * @param requestTimeout how long an announce may take in all: connect, handshake, answer
 *     (default 15 s)
 * @param maxResponseBytes the largest answer accepted (default 1 MiB, at least 1 KiB)
 */
public record TrackerClientConfig(String host, int port, TlsFiles tls, Duration connectTimeout, Duration requestTimeout,
        int maxResponseBytes) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(15);
    /** 1 MiB: 64 releases × 50 peers × ~150 bytes is under 500 KiB. */
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

    public TrackerClientConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("tracker client host must name the tracker, got "
                    + (host == null ? "null" : "\"" + host + "\""));
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("tracker client port must be in 1..65535, got " + port);
        }
        Objects.requireNonNull(tls, "tracker client tls");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(requestTimeout, "requestTimeout");
        if (maxResponseBytes < 1024) {
            throw new IllegalArgumentException("tracker client maxResponseBytes must be >= 1024, got " + maxResponseBytes);
        }
    }

    /** Default timeouts and limits for the tracker at {@code host:port}. */
    public static TrackerClientConfig defaults(String host, int port, TlsFiles tls) {
        return new TrackerClientConfig(host, port, tls, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_MAX_RESPONSE_BYTES);
    }

    public TrackerClientConfig withTimeouts(Duration connect, Duration request) {
        return new TrackerClientConfig(host, port, tls, connect, request, maxResponseBytes);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, "tracker client " + name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("tracker client " + name + " must be positive, got " + d);
        }
    }
}
