package dev.caravan.tracker;

import dev.caravan.core.Digest;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * How the tracker picks and orders the peers it hands an announcing agent for one release.
 * Pluggable (picked by {@link TrackerConfig#handoutPolicy()}), after Kraken's
 * {@code tracker/peerhandoutpolicy}.
 *
 * <p>Every policy returns at most {@code max} peers, each at most once, never the announcer
 * itself, all taken from {@code candidates}; the agent dials them in the order given.
 */
public interface PeerHandoutPolicy {

    /**
     * The peers for {@code announcer} in {@code manifest}'s swarm, best first.
     *
     * @param announcer the agent that asked, as just recorded
     * @param manifest the release
     * @param candidates the live peers in that swarm (may include the announcer)
     * @param max the most peers to return, at least 1
     */
    List<PeerRecord> select(PeerRecord announcer, Digest manifest, List<PeerRecord> candidates, int max);

    /**
     * The default policy: peers in the announcer's group first, then the others; within each
     * class, the peers most useful to the announcer first (seeders for an agent still fetching,
     * agents still fetching for a seeder), shuffled with {@code random}.
     *
     * @param random the shuffle's source; called from several threads, so it must be thread-safe
     *     ({@link java.util.Random} is)
     */
    static PeerHandoutPolicy groupFirst(RandomGenerator random) {
        return new GroupFirstHandoutPolicy(random);
    }

    /** {@link #groupFirst(RandomGenerator)} shuffling with {@link ThreadLocalRandom}. */
    static PeerHandoutPolicy groupFirst() {
        return new GroupFirstHandoutPolicy(() -> ThreadLocalRandom.current().nextLong());
    }
}
