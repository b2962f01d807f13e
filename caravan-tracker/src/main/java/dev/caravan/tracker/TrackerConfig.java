package dev.caravan.tracker;

import dev.caravan.wire.tls.TlsFiles;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link TrackerServer}. Checked here once, when the record is made; a bad value
 * fails naming the setting and the value. Whether the TLS files can be read is checked by
 * {@link TrackerServer#start()}.
 *
 * <pre>{@code
 * TrackerConfig config = TrackerConfig.defaults("0.0.0.0", 7070, TlsFiles.in(dir, "tracker-1"))
 *         .withAnnounceInterval(Duration.ofSeconds(10));    // and a peer TTL of 30 s
 * }</pre>
 *
 * @param bindHost the host name or IP address to listen on, e.g. {@code 0.0.0.0}
 * @param port the TCP port, 0 for an ephemeral port chosen by the system
 * @param tls the tracker's certificate (role tracker), key and the deployment CA
 * @param announceInterval how often agents are told to announce; whole seconds, at least 1 s
 *     (default {@value #DEFAULT_ANNOUNCE_INTERVAL_SECONDS} s)
 * @param peerTtl how long an agent stays in the swarms after its last announce; longer than
 *     {@code announceInterval} (default three intervals)
 * @param maxPeersPerAnswer the longest peer list per release in an answer, 1 to
 *     {@value #MAX_PEERS_PER_ANSWER_LIMIT} (default {@value #DEFAULT_MAX_PEERS_PER_ANSWER})
 * @param maxReleasesPerAnnounce the most releases one announce may list, 1 to
 *     {@value #MAX_RELEASES_PER_ANNOUNCE_LIMIT} (default {@value #DEFAULT_MAX_RELEASES_PER_ANNOUNCE})
 * @param maxRequestBodyBytes the largest request body accepted, 1 KiB to 1 MiB (default
 *     {@value #DEFAULT_MAX_REQUEST_BODY_BYTES}); a larger one gets 413 and the connection closes
 * @param idleTimeout a connection with no traffic for this long is closed (default 60 s)
 * @param ioThreads the I/O threads serving connections, at least 1 (default 2)
 * @param clock the tracker's time, for the peers' time-to-live (tests pass a fake one)
 * @param handoutPolicy how peer lists are picked and ordered (default
 *     {@link PeerHandoutPolicy#groupFirst()})
 * @param security enrollment and revocation (default {@link TrackerSecurityConfig#none()}: neither)
 */
public record TrackerConfig(
        String bindHost,
        int port,
        TlsFiles tls,
        Duration announceInterval,
        Duration peerTtl,
        int maxPeersPerAnswer,
        int maxReleasesPerAnnounce,
        int maxRequestBodyBytes,
        Duration idleTimeout,
        int ioThreads,
        Clock clock,
        PeerHandoutPolicy handoutPolicy,
        TrackerSecurityConfig security) {

    public static final int DEFAULT_ANNOUNCE_INTERVAL_SECONDS = 30;
    /** The default peer time-to-live, in announce intervals. */
    public static final int DEFAULT_TTL_INTERVALS = 3;
    public static final int DEFAULT_MAX_PEERS_PER_ANSWER = 50;
    public static final int MAX_PEERS_PER_ANSWER_LIMIT = 1000;
    public static final int DEFAULT_MAX_RELEASES_PER_ANNOUNCE = 64;
    public static final int MAX_RELEASES_PER_ANNOUNCE_LIMIT = 1024;
    /** 64 KiB: about 400 releases' worth of JSON, far more than {@link #DEFAULT_MAX_RELEASES_PER_ANNOUNCE}. */
    public static final int DEFAULT_MAX_REQUEST_BODY_BYTES = 64 * 1024;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_IO_THREADS = 2;

    public TrackerConfig {
        if (bindHost == null || bindHost.isBlank()) {
            throw new IllegalArgumentException("tracker bindHost must name a host or address, got "
                    + (bindHost == null ? "null" : "\"" + bindHost + "\""));
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("tracker port must be in 0..65535 (0 = ephemeral), got " + port);
        }
        Objects.requireNonNull(tls, "tracker tls");
        Objects.requireNonNull(announceInterval, "tracker announceInterval");
        if (announceInterval.compareTo(Duration.ofSeconds(1)) < 0 || announceInterval.toNanosPart() != 0) {
            throw new IllegalArgumentException("tracker announceInterval must be whole seconds, at least 1 s, got "
                    + announceInterval);
        }
        Objects.requireNonNull(peerTtl, "tracker peerTtl");
        if (peerTtl.compareTo(announceInterval) <= 0) {
            throw new IllegalArgumentException("tracker peerTtl must be longer than announceInterval (" + announceInterval
                    + ") or every agent drops out between announces, got " + peerTtl);
        }
        if (maxPeersPerAnswer < 1 || maxPeersPerAnswer > MAX_PEERS_PER_ANSWER_LIMIT) {
            throw new IllegalArgumentException("tracker maxPeersPerAnswer must be in 1.." + MAX_PEERS_PER_ANSWER_LIMIT
                    + ", got " + maxPeersPerAnswer);
        }
        if (maxReleasesPerAnnounce < 1 || maxReleasesPerAnnounce > MAX_RELEASES_PER_ANNOUNCE_LIMIT) {
            throw new IllegalArgumentException("tracker maxReleasesPerAnnounce must be in 1.." + MAX_RELEASES_PER_ANNOUNCE_LIMIT
                    + ", got " + maxReleasesPerAnnounce);
        }
        if (maxRequestBodyBytes < 1024 || maxRequestBodyBytes > 1024 * 1024) {
            throw new IllegalArgumentException("tracker maxRequestBodyBytes must be in 1024..1048576, got " + maxRequestBodyBytes);
        }
        Objects.requireNonNull(idleTimeout, "tracker idleTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("tracker idleTimeout must be positive, got " + idleTimeout);
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("tracker ioThreads must be >= 1, got " + ioThreads);
        }
        Objects.requireNonNull(clock, "tracker clock");
        Objects.requireNonNull(handoutPolicy, "tracker handoutPolicy");
        Objects.requireNonNull(security, "tracker security");
    }

    /** Every setting at its default, listening on {@code bindHost:port} with {@code tls}. */
    public static TrackerConfig defaults(String bindHost, int port, TlsFiles tls) {
        Duration interval = Duration.ofSeconds(DEFAULT_ANNOUNCE_INTERVAL_SECONDS);
        return new TrackerConfig(bindHost, port, tls, interval, interval.multipliedBy(DEFAULT_TTL_INTERVALS),
                DEFAULT_MAX_PEERS_PER_ANSWER, DEFAULT_MAX_RELEASES_PER_ANNOUNCE, DEFAULT_MAX_REQUEST_BODY_BYTES,
                DEFAULT_IDLE_TIMEOUT, DEFAULT_IO_THREADS, Clock.systemUTC(), PeerHandoutPolicy.groupFirst(),
                TrackerSecurityConfig.none());
    }

    /** This config with another announce interval and a peer TTL of {@value #DEFAULT_TTL_INTERVALS} times it. */
    public TrackerConfig withAnnounceInterval(Duration interval) {
        Objects.requireNonNull(interval, "tracker announceInterval");
        return new TrackerConfig(bindHost, port, tls, interval, interval.multipliedBy(DEFAULT_TTL_INTERVALS),
                maxPeersPerAnswer, maxReleasesPerAnnounce, maxRequestBodyBytes, idleTimeout, ioThreads, clock, handoutPolicy, security);
    }

    public TrackerConfig withPeerTtl(Duration ttl) {
        return new TrackerConfig(bindHost, port, tls, announceInterval, ttl, maxPeersPerAnswer, maxReleasesPerAnnounce,
                maxRequestBodyBytes, idleTimeout, ioThreads, clock, handoutPolicy, security);
    }

    public TrackerConfig withMaxPeersPerAnswer(int max) {
        return new TrackerConfig(bindHost, port, tls, announceInterval, peerTtl, max, maxReleasesPerAnnounce,
                maxRequestBodyBytes, idleTimeout, ioThreads, clock, handoutPolicy, security);
    }

    public TrackerConfig withMaxReleasesPerAnnounce(int max) {
        return new TrackerConfig(bindHost, port, tls, announceInterval, peerTtl, maxPeersPerAnswer, max,
                maxRequestBodyBytes, idleTimeout, ioThreads, clock, handoutPolicy, security);
    }

    public TrackerConfig withMaxRequestBodyBytes(int max) {
        return new TrackerConfig(bindHost, port, tls, announceInterval, peerTtl, maxPeersPerAnswer, maxReleasesPerAnnounce,
                max, idleTimeout, ioThreads, clock, handoutPolicy, security);
    }

    public TrackerConfig withIdleTimeout(Duration timeout) {
        return new TrackerConfig(bindHost, port, tls, announceInterval, peerTtl, maxPeersPerAnswer, maxReleasesPerAnnounce,
                maxRequestBodyBytes, timeout, ioThreads, clock, handoutPolicy, security);
    }

    public TrackerConfig withIoThreads(int threads) {
        return new TrackerConfig(bindHost, port, tls, announceInterval, peerTtl, maxPeersPerAnswer, maxReleasesPerAnnounce,
                maxRequestBodyBytes, idleTimeout, threads, clock, handoutPolicy, security);
    }

    public TrackerConfig withClock(Clock c) {
        return new TrackerConfig(bindHost, port, tls, announceInterval, peerTtl, maxPeersPerAnswer, maxReleasesPerAnnounce,
                maxRequestBodyBytes, idleTimeout, ioThreads, c, handoutPolicy, security);
    }

    /** This config with enrollment and revocation as {@code s} says. */
    public TrackerConfig withSecurity(TrackerSecurityConfig s) {
        return new TrackerConfig(bindHost, port, tls, announceInterval, peerTtl, maxPeersPerAnswer, maxReleasesPerAnnounce,
                maxRequestBodyBytes, idleTimeout, ioThreads, clock, handoutPolicy, s);
    }

    public TrackerConfig withHandoutPolicy(PeerHandoutPolicy policy) {
        return new TrackerConfig(bindHost, port, tls, announceInterval, peerTtl, maxPeersPerAnswer, maxReleasesPerAnnounce,
                maxRequestBodyBytes, idleTimeout, ioThreads, clock, policy, security);
    }
}
