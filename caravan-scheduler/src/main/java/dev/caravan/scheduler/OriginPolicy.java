package dev.caravan.scheduler;

/**
 * The origin's rule: when a chunk may be fetched from the origin rather than from peers.
 */
final class OriginPolicy {
    /*
     * Implementation notes
     *
     * The origin is the most expensive source (WAN egress, a shared upload link), so it is a
     * fallback: a chunk goes to it when no connected peer has it once originGrace has passed since
     * the start (bitfields arrive within a round trip or two of connecting), or when the chunk has
     * been wanted for originFallbackDelay and no peer is in a position to deliver it, the analogue
     * of Delivery Optimization's HTTP fallback delay (the DODelayForegroundDownloadFromHttp and
     * DODelayBackgroundDownloadFromHttp policies). Even then the origin is offered blocks only
     * after every peer has filled its pipeline, and holds at most originMaxInFlight of them, so it
     * serves what peers cannot.
     *
     * Every chunk is wanted from the start of the download, so the fallback delay counts from there.
     * After it, a chunk stays with the peers while one of them that has it is delivering to us: it
     * sent us a block within snubDuration and has not let a request time out since (it may be
     * choking us for the moment: upload slots rotate). Peers that deliver slowly but steadily, such
     * as agents with a low upload cap, are no reason to pay for WAN bytes. Delivery Optimization's
     * delay turns the HTTP source on for everything, as this rule did at first: on the swarm demo at
     * a quarter of the benchmark's rates (N = 10, origin 5 MB/s, agents 2.5 MB/s up, a run of about
     * 100 s), the origin then sent 1.64 copies of the release for 1.11 x the lower bound; with this
     * rule, 1.03 copies for 1.21 x. A peer that stops delivering lets a request time out and is
     * snubbed, drippers are cut off by the I/O layer's minimum rate, and a peer that never unchokes
     * us never delivers, so the origin still takes over when peers truly cannot deliver.
     *
     * The grace also ends as soon as the I/O layer says the peers it knows of have connected and
     * sent their bitfields (peersSettled) and none of them has any chunk yet: agents starting
     * together, where waiting longer would only idle the origin. When a peer already has chunks,
     * the swarm is under way and we joined late: the others own chunks by a view without us, and
     * some of those are on their way from the origin now. Peers that speak protocol version 2 say
     * which (FETCHING, peerFetching): such a chunk counts here like one a peer has, so that one
     * agent's fetch in flight is not repeated by another whose view of the swarm differs. Those
     * lists follow the peers' bitfields within a round trip, so a joiner's grace ends JOIN_WINDOW
     * after its peers settled (or at the grace, if sooner); with a peer of version 1, which never
     * says, it waits out the grace. A joiner that waited out the whole
     * grace left its share of the origin's chunks to the first agents, whose upload links then
     * fed everyone: on the demo (N = 10) the peers received 40-60 MB/s of their 100 for the first
     * two seconds of data; the join window took 0.37 s off the time to the last agent (four
     * pairs) for at most 0.004 copies more from the origin. Before the version 2 lists (three
     * agents, an 8 MiB release) the grace had taken the origin's chunk bytes from 1.09-1.13
     * copies to 1.00, with the agent's rule for an empty peer list (an agent the tracker names no
     * peer to waits out the grace).
     *
     * Sharing the origin. Agents that start together all lack the same chunks, and each would pick
     * chunks nobody has at random: two of them fetching the same chunk over the WAN at once is a
     * collision, and collisions grow as the chunks nobody has run out, so the origin would send the
     * release well over once. Instead each chunk has one owner among the agents that see each
     * other, chosen by rendezvous hashing (Thaler and Ravishankar, "Using name-based mappings to
     * increase hit rates", 1998): the owner of chunk c is the agent with the highest
     * mix(key, c), where key is a number derived from its peer id. Only the owner fetches a chunk
     * nobody has from the origin; the others get it from the owner once it has it. With partial
     * views (a large swarm where each agent sees a few dozen peers), the agent with the highest
     * score overall also has the highest score in its own view, so every chunk still has at least
     * one owner; a few chunks get two. A chunk whose owner leaves gets a new owner at once; a
     * chunk nobody delivers still reaches the origin after originFallbackDelay.
     *
     * Owners are the connected peers that show they fetch from the origin (Swarm.reviewOwners): a
     * peer counts for ownerPatience after it connects, and after that while it said FETCHING
     * within ownerPatience (a peer of protocol version 1, which never says it, while it sent HAVE).
     * An agent that owns chunks nobody has begins them from the origin one after another and says
     * FETCHING for each, so a working owner keeps its share; a chunk a peer said FETCHING for stays
     * with it whether or not it still owns anything. A connection that does nothing (an agent whose
     * origin is unreachable, or anyone with an enrolled certificate) had otherwise held its share
     * back from the origin until originFallbackDelay: eight idle connections took SwarmHostilePeerTest
     * from about 10 s to 67 s. A HAVE from a version 2 peer does not count: an agent that cannot
     * reach the origin still receives chunks from peers. Agents drop such a peer at about the same
     * time, so their views stay alike; the dropped peer still counts itself an owner, so an owner
     * that was only slow (a chunk from the origin taking longer than ownerPatience) may begin one of
     * the chunks it lost just as another agent does: a chunk fetched twice, at most once per pick.
     */
    /** How long after its peers settled a joiner waits for the FETCHING lists that follow their bitfields. */
    static final long JOIN_WINDOW_NANOS = 250_000_000L;

    private final long startedAt;
    private final long fallbackDelayNanos;
    /** When a chunk no peer has may first go to the origin. */
    private long graceEndsAt;

    OriginPolicy(SchedulerConfig config, long startedAt) {
        this.startedAt = startedAt;
        this.graceEndsAt = startedAt + config.originGrace().toNanos();
        this.fallbackDelayNanos = config.originFallbackDelay().toNanos();
    }

    /** The peers known at the start have reported what they hold: the grace ends at {@code at}, unless sooner. */
    void settle(long at) {
        graceEndsAt = Math.min(graceEndsAt, at);
    }

    /** Whether the download has run for the fallback delay. */
    boolean pastFallbackDelay(long now) {
        return now - startedAt >= fallbackDelayNanos;
    }

    /**
     * Whether a chunk that {@code peersWithChunk} connected peers have or are fetching from the
     * origin, and that is {@code ours} to
     * fetch from the origin, may come from the origin at {@code now}; {@code offeredByPeers} says
     * whether a peer that is delivering to us has it.
     */
    boolean mayFetch(int peersWithChunk, boolean ours, boolean offeredByPeers, long now) {
        return (peersWithChunk == 0 && ours && now >= graceEndsAt)
                || (now - startedAt >= fallbackDelayNanos && !offeredByPeers);
    }

    /** The rendezvous score of {@code key} for {@code chunk}: a 64-bit mix (SplitMix64's finalizer). */
    static long score(long key, int chunk) {
        long z = key ^ ((chunk + 1L) * 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
