package dev.caravan.tracker;

import dev.caravan.core.Digest;
import java.util.Objects;

/**
 * How much of one release a peer holds, as it announced it.
 *
 * @param manifest the release's manifest digest, which names its swarm
 * @param have verified chunks held, from 0 to {@code total}
 * @param total chunks in the release, at least 0; 0 while the peer is still fetching the release's
 *     manifest (it announces the release as soon as its signed metadata names it)
 * @param complete whether the peer holds the whole release (a seeder); only if {@code have == total}
 */
public record ReleaseProgress(Digest manifest, int have, int total, boolean complete) {
    public ReleaseProgress {
        Objects.requireNonNull(manifest, "manifest");
        if (total < 0) {
            throw new IllegalArgumentException("total must be >= 0, got " + total);
        }
        if (have < 0 || have > total) {
            throw new IllegalArgumentException("have must be from 0 to total (" + total + "), got " + have);
        }
        if (complete && have != total) {
            throw new IllegalArgumentException("complete is true but have " + have + " < total " + total);
        }
    }

    /** A seeder's progress: all {@code total} chunks. */
    public static ReleaseProgress complete(Digest manifest, int total) {
        return new ReleaseProgress(manifest, total, total, true);
    }
}
