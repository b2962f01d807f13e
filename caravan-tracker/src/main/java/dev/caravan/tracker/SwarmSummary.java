package dev.caravan.tracker;

import dev.caravan.core.Digest;
import java.util.Objects;

/**
 * The size of one release's swarm, for observability ({@code GET /v1/swarms}).
 *
 * @param manifest the release's manifest digest
 * @param peers live peers in the swarm
 * @param seeders how many of them hold the whole release
 */
public record SwarmSummary(Digest manifest, int peers, int seeders) {
    public SwarmSummary {
        Objects.requireNonNull(manifest, "manifest");
        if (peers < 0 || seeders < 0 || seeders > peers) {
            throw new IllegalArgumentException("a swarm needs 0 <= seeders <= peers, got " + seeders + " of " + peers);
        }
    }
}
