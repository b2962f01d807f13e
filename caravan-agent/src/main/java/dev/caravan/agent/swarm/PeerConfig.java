package dev.caravan.agent.swarm;

import dev.caravan.agent.seed.UploadSlotConfig;
import dev.caravan.scheduler.SchedulerConfig;
import dev.caravan.wire.Hello;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.tls.TlsFiles;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of an agent's peer side ({@link PeerNetwork}): who it is, where it listens, its
 * certificate, and the limits it keeps. Checked when made; a bad value names the setting.
 *
 * @param peerId this agent's peer id, drawn once
 * @param group its group (same-group peers are preferred)
 * @param tls its certificate, key and the deployment CA
 * @param listenHost the address peers connect to ("0.0.0.0" for every interface)
 * @param listenPort the port, 0 for any free one
 * @param uploadRateBytesPerSecond the global upload cap, 0 for none
 * @param downloadRateBytesPerSecond the global download cap (peer traffic), 0 for none
 * @param slots the upload slots and their rotation
 * @param maxPeers the most peer connections at once (accepted and dialed)
 * @param maxRequestsPerPeer requests in flight accepted from one peer; more are rejected
 *     ({@code TOO_MANY_REQUESTS})
 * @param handshakeTimeout TLS handshake plus HELLO, INTEREST and BITFIELD must be done within this
 * @param idleTimeout a connection that received nothing this long is closed ({@code IDLE})
 * @param keepAlive a PING goes out after this long without sending anything
 * @param tickInterval how often the scheduler and the upload slots look at the time
 * @param servedChunkCacheBytes verified chunk bytes kept in memory for serving
 * @param scheduler the download scheduler's settings
 * @param limits what a peer may do before it is cut off (per address, slow transfers, false claims)
 * @param dialFromHost the local address peer connections are dialed from, or null to let the
 *     system pick (in-process deployments give each agent its own loopback address, so that the
 *     per-address limit sees them as the machines they stand for)
 */
public record PeerConfig(
        PeerId peerId,
        String group,
        TlsFiles tls,
        String listenHost,
        int listenPort,
        long uploadRateBytesPerSecond,
        long downloadRateBytesPerSecond,
        UploadSlotConfig slots,
        int maxPeers,
        int maxRequestsPerPeer,
        Duration handshakeTimeout,
        Duration idleTimeout,
        Duration keepAlive,
        Duration tickInterval,
        long servedChunkCacheBytes,
        SchedulerConfig scheduler,
        PeerLimits limits,
        String dialFromHost) {

    public static final int DEFAULT_MAX_PEERS = 64;
    public static final int DEFAULT_MAX_REQUESTS_PER_PEER = 64;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TICK = Duration.ofMillis(200);
    public static final long DEFAULT_SERVED_CHUNK_CACHE_BYTES = 64L << 20;

    /** How many times the least rate peers accept each upload slot should get (see {@link #effectiveSlots()}). */
    public static final int MIN_SLOT_RATE_FACTOR = 2;

    public PeerConfig {
        Objects.requireNonNull(peerId, "peerId");
        Hello.requireGroup(group);
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(listenHost, "listenHost");
        if (listenPort < 0 || listenPort > 65535) {
            throw bad("listenPort", listenPort, "must be from 0 to 65535");
        }
        if (uploadRateBytesPerSecond < 0) {
            throw bad("uploadRateBytesPerSecond", uploadRateBytesPerSecond, "must be 0 (unlimited) or more");
        }
        if (downloadRateBytesPerSecond < 0) {
            throw bad("downloadRateBytesPerSecond", downloadRateBytesPerSecond, "must be 0 (unlimited) or more");
        }
        Objects.requireNonNull(slots, "slots");
        if (maxPeers < 1) {
            throw bad("maxPeers", maxPeers, "must be at least 1");
        }
        if (maxRequestsPerPeer < 1) {
            throw bad("maxRequestsPerPeer", maxRequestsPerPeer, "must be at least 1");
        }
        requirePositive("handshakeTimeout", handshakeTimeout);
        requirePositive("idleTimeout", idleTimeout);
        requirePositive("keepAlive", keepAlive);
        requirePositive("tickInterval", tickInterval);
        if (servedChunkCacheBytes < 0) {
            throw bad("servedChunkCacheBytes", servedChunkCacheBytes, "must not be negative");
        }
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(limits, "limits");
    }

    /**
     * The upload slots actually used: {@link #slots()}, fewer when the upload cap would give each
     * slot less than {@link #MIN_SLOT_RATE_FACTOR} times the rate peers require of a connection
     * ({@link PeerLimits#minTransferBytesPerSecond()}). Peers cut off an uploader that sends them
     * less than that, so an agent capped at 40 KB/s over five slots (8 KB/s each) would be cut off
     * by every peer it serves; with one slot it serves one at a time, at 40 KB/s.
     */
    public UploadSlotConfig effectiveSlots() {
        long floor = MIN_SLOT_RATE_FACTOR * limits.minTransferBytesPerSecond();
        if (uploadRateBytesPerSecond == 0 || floor == 0 || uploadRateBytesPerSecond / floor >= slots.capacity()) {
            return slots;
        }
        int room = (int) Math.max(1, uploadRateBytesPerSecond / floor);
        int optimistic = room > 1 ? Math.min(1, slots.optimisticSlots()) : 0;
        return new UploadSlotConfig(room - optimistic, slots.rotation(), optimistic);
    }

    /** The defaults for everything but identity, address and rates. */
    public static PeerConfig defaults(PeerId peerId, String group, TlsFiles tls, String listenHost, int listenPort) {
        return new PeerConfig(peerId, group, tls, listenHost, listenPort, 0, 0, UploadSlotConfig.DEFAULT,
                DEFAULT_MAX_PEERS, DEFAULT_MAX_REQUESTS_PER_PEER, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_KEEP_ALIVE, DEFAULT_TICK, DEFAULT_SERVED_CHUNK_CACHE_BYTES, SchedulerConfig.DEFAULT,
                PeerLimits.DEFAULT, null);
    }

    public PeerConfig withRates(long upload, long download) {
        return new PeerConfig(peerId, group, tls, listenHost, listenPort, upload, download, slots, maxPeers,
                maxRequestsPerPeer, handshakeTimeout, idleTimeout, keepAlive, tickInterval, servedChunkCacheBytes,
                scheduler, limits, dialFromHost);
    }

    public PeerConfig withSlots(UploadSlotConfig v) {
        return new PeerConfig(peerId, group, tls, listenHost, listenPort, uploadRateBytesPerSecond,
                downloadRateBytesPerSecond, v, maxPeers, maxRequestsPerPeer, handshakeTimeout, idleTimeout, keepAlive,
                tickInterval, servedChunkCacheBytes, scheduler, limits, dialFromHost);
    }

    public PeerConfig withMaxPeers(int v) {
        return new PeerConfig(peerId, group, tls, listenHost, listenPort, uploadRateBytesPerSecond,
                downloadRateBytesPerSecond, slots, v, maxRequestsPerPeer, handshakeTimeout, idleTimeout, keepAlive,
                tickInterval, servedChunkCacheBytes, scheduler, limits, dialFromHost);
    }

    public PeerConfig withScheduler(SchedulerConfig v) {
        return new PeerConfig(peerId, group, tls, listenHost, listenPort, uploadRateBytesPerSecond,
                downloadRateBytesPerSecond, slots, maxPeers, maxRequestsPerPeer, handshakeTimeout, idleTimeout,
                keepAlive, tickInterval, servedChunkCacheBytes, v, limits, dialFromHost);
    }

    public PeerConfig withLimits(PeerLimits v) {
        return new PeerConfig(peerId, group, tls, listenHost, listenPort, uploadRateBytesPerSecond,
                downloadRateBytesPerSecond, slots, maxPeers, maxRequestsPerPeer, handshakeTimeout, idleTimeout,
                keepAlive, tickInterval, servedChunkCacheBytes, scheduler, v, dialFromHost);
    }

    /** The same, dialing peers from {@code host} (null: the system picks). */
    public PeerConfig withDialFromHost(String host) {
        return new PeerConfig(peerId, group, tls, listenHost, listenPort, uploadRateBytesPerSecond,
                downloadRateBytesPerSecond, slots, maxPeers, maxRequestsPerPeer, handshakeTimeout, idleTimeout,
                keepAlive, tickInterval, servedChunkCacheBytes, scheduler, limits, host);
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw bad(name, d, "must be positive");
        }
    }

    private static IllegalArgumentException bad(String name, Object value, String rule) {
        return new IllegalArgumentException("peer setting " + name + " " + rule + ", got " + value);
    }
}
