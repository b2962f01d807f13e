package dev.caravan.tracker;

import dev.caravan.core.Digest;
import dev.caravan.wire.PeerId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Same group first, then other groups; within a group class, the useful peers first; shuffled
 * within each of the four tiers. See {@link PeerHandoutPolicy#groupFirst(RandomGenerator)}.
 *
 * <p>Implementation notes. Same group first because a group is a site behind one WAN link
 * (DESIGN.md: a group should pull each chunk across the WAN about once). Within a class:
 * <ul>
 *   <li>an agent still fetching gets seeders before other fetchers. Early in a release seeders
 *       are rare and hold every chunk; with a random pick from a large swarm, a list of 50 out of
 *       1,000 peers would name a given seeder only 5% of the time. The agent's own scheduler
 *       then spreads its requests by measured throughput, so a seeder is not overrun merely by
 *       being listed.</li>
 *   <li>a seeder gets fetchers before other seeders: two seeders have nothing to trade.</li>
 * </ul>
 * Shuffling within a tier spreads load evenly over equivalent peers (BitTorrent trackers hand
 * out random peers for the same reason). The pick is a partial Fisher–Yates shuffle, so an
 * answer costs O(swarm) and draws only as many random numbers as peers it returns.
 */
final class GroupFirstHandoutPolicy implements PeerHandoutPolicy {
    private final RandomGenerator random;

    GroupFirstHandoutPolicy(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public List<PeerRecord> select(PeerRecord announcer, Digest manifest, List<PeerRecord> candidates, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max peers must be >= 1, got " + max);
        }
        boolean seeder = announcer.isComplete(manifest);
        List<List<PeerRecord>> tiers = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Set<PeerId> seen = new HashSet<>();
        seen.add(announcer.peerId());
        for (PeerRecord c : candidates) {
            if (!seen.add(c.peerId())) {
                continue; // the announcer itself, or a peer listed twice
            }
            int tier = (c.group().equals(announcer.group()) ? 0 : 2) + (c.isComplete(manifest) != seeder ? 0 : 1);
            tiers.get(tier).add(c);
        }
        List<PeerRecord> out = new ArrayList<>(Math.min(max, candidates.size()));
        for (List<PeerRecord> tier : tiers) {
            takeShuffled(tier, max - out.size(), out);
        }
        return out;
    }

    /** Appends up to {@code n} random elements of {@code tier} to {@code out}, in random order. */
    private void takeShuffled(List<PeerRecord> tier, int n, List<PeerRecord> out) {
        int take = Math.min(n, tier.size());
        for (int i = 0; i < take; i++) {
            int j = i + random.nextInt(tier.size() - i);
            PeerRecord picked = tier.get(j);
            tier.set(j, tier.get(i));
            tier.set(i, picked);
            out.add(picked);
        }
    }
}
