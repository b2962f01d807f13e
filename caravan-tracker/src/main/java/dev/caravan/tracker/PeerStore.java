package dev.caravan.tracker;

import dev.caravan.core.Digest;
import dev.caravan.wire.PeerId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the tracker keeps membership: which peer announced what, and when. A peer is <em>live</em>
 * until its time-to-live runs out after its last announce; only live peers are ever returned.
 *
 * <p>The store owns the time-to-live (the memory store takes it when made; a Redis store will set
 * it on its keys), so that several trackers sharing one store agree on it. Time is always passed
 * in, never read from a clock, so tests control it.
 *
 * <p>Implementations are thread-safe: the tracker calls them from all its I/O threads.
 */
public interface PeerStore {

    /**
     * Records {@code peer}'s announce at {@code now}, replacing what it announced before.
     *
     * @return {@code false}, changing nothing, if a live peer with the same id was announced under
     *     another certificate name (a peer id belongs to the certificate that announced it first
     *     until it expires or leaves)
     */
    boolean announce(PeerRecord peer, Instant now);

    /** Forgets the peer with this id at once; whether it was there. */
    boolean remove(PeerId peerId);

    /** The live peer with this id. */
    Optional<PeerRecord> find(PeerId peerId, Instant now);

    /** The live peers in {@code manifest}'s swarm, in no particular order. */
    List<PeerRecord> peers(Digest manifest, Instant now);

    /** Forgets every peer whose time-to-live ran out by {@code now}; how many it forgot. */
    int expire(Instant now);

    /** Forgets every peer announced under this certificate name (for revocation); how many. */
    int removeCertificate(String certificateName);

    /** Peers held, live or not yet {@linkplain #expire expired}. */
    int count();

    /** Every swarm with at least one live peer, by manifest digest. */
    List<SwarmSummary> swarms(Instant now);
}
