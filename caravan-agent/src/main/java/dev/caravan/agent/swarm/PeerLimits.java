package dev.caravan.agent.swarm;

import java.time.Duration;
import java.util.Objects;

/**
 * What an agent tolerates of a peer before it cuts the peer off: the limits that keep one hostile
 * or broken peer from hurting the agent or the honest peers it serves ({@code docs/security.md},
 * "Malicious peers"). The other limits (connections in all, requests in flight, handshake and idle
 * timeouts) are in {@link PeerConfig}; the frame size is the codec's.
 *
 * <table>
 * <caption>limits and defaults</caption>
 * <tr><th>setting</th><th>default</th><th>on breach</th></tr>
 * <tr><td>maxConnectionsPerAddress</td><td>8</td><td>an accepted connection from an address that
 *     already has this many is closed at once, before TLS</td></tr>
 * <tr><td>minTransferBytesPerSecond</td><td>8192 (8 KiB/s)</td><td>a connection that, over
 *     {@code slowTransferGrace} of time with our requests outstanding (download) or our DATA
 *     unread (upload), moved fewer bytes than this rate is closed with GOODBYE {@code TOO_SLOW};
 *     0 turns the check off</td></tr>
 * <tr><td>slowTransferGrace</td><td>30 s</td><td>the window over which that rate is judged</td></tr>
 * <tr><td>maxUnservedClaims</td><td>8 chunks</td><td>a peer that refuses (REJECT {@code NOT_HELD},
 *     {@code OUT_OF_RANGE} or {@code OTHER}) requests for this many chunks it claimed to hold is
 *     banned for the release (GOODBYE {@code BANNED})</td></tr>
 * </table>
 *
 * <p>Requests past the limit: a peer whose requests are refused ({@code CHOKED} or
 * {@code TOO_MANY_REQUESTS}) more than twice {@link PeerConfig#maxRequestsPerPeer()} times
 * between two of our CHOKE/UNCHOKE decisions is flooding and is closed (GOODBYE
 * {@code PROTOCOL_ERROR}); no setting of its own.
 *
 * @param maxConnectionsPerAddress accepted connections at once from one IP address
 * @param minTransferBytesPerSecond the least a busy connection must move, bytes/s; 0 for no check
 * @param slowTransferGrace the busy time over which that rate is judged
 * @param maxUnservedClaims chunks a peer may claim and then refuse before it is banned for the release
 */
public record PeerLimits(int maxConnectionsPerAddress, long minTransferBytesPerSecond, Duration slowTransferGrace,
        int maxUnservedClaims) {

    public static final PeerLimits DEFAULT = new PeerLimits(8, 8 << 10, Duration.ofSeconds(30), 8);

    public PeerLimits {
        if (maxConnectionsPerAddress < 1) {
            throw bad("maxConnectionsPerAddress", maxConnectionsPerAddress, "must be at least 1");
        }
        if (minTransferBytesPerSecond < 0) {
            throw bad("minTransferBytesPerSecond", minTransferBytesPerSecond, "must be 0 (no check) or more");
        }
        Objects.requireNonNull(slowTransferGrace, "slowTransferGrace");
        if (slowTransferGrace.isNegative() || slowTransferGrace.isZero()) {
            throw bad("slowTransferGrace", slowTransferGrace, "must be positive");
        }
        if (maxUnservedClaims < 1) {
            throw bad("maxUnservedClaims", maxUnservedClaims, "must be at least 1");
        }
    }

    public PeerLimits withMaxConnectionsPerAddress(int v) {
        return new PeerLimits(v, minTransferBytesPerSecond, slowTransferGrace, maxUnservedClaims);
    }

    public PeerLimits withMinTransfer(long bytesPerSecond, Duration grace) {
        return new PeerLimits(maxConnectionsPerAddress, bytesPerSecond, grace, maxUnservedClaims);
    }

    public PeerLimits withMaxUnservedClaims(int v) {
        return new PeerLimits(maxConnectionsPerAddress, minTransferBytesPerSecond, slowTransferGrace, v);
    }

    private static IllegalArgumentException bad(String name, Object value, String rule) {
        return new IllegalArgumentException("peer limit " + name + " " + rule + ", got " + value);
    }
}
