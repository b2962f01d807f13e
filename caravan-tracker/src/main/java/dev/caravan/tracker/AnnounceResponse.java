package dev.caravan.tracker;

import dev.caravan.core.Digest;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The tracker's answer to an announce: when to announce next and, for each release the agent
 * announced, the peers to dial, best first.
 *
 * @param interval how long to wait before the next announce (whole seconds); an agent that waits
 *     much longer than this drops out of the swarm
 * @param peers per release, in the order the request listed them, the ordered peer list; empty
 *     after a {@link AnnounceEvent#STOPPED}
 */
public record AnnounceResponse(Duration interval, Map<Digest, List<SwarmPeer>> peers) {
    public AnnounceResponse {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
        LinkedHashMap<Digest, List<SwarmPeer>> copy = new LinkedHashMap<>();
        peers.forEach((manifest, list) -> copy.put(Objects.requireNonNull(manifest, "manifest"), List.copyOf(list)));
        peers = Collections.unmodifiableMap(copy);
    }

    /** The peer list for {@code manifest}; empty if the answer has none. */
    public List<SwarmPeer> peersFor(Digest manifest) {
        return peers.getOrDefault(manifest, List.of());
    }
}
