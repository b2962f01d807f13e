package dev.caravan.tracker;

import dev.caravan.core.Digest;
import dev.caravan.wire.PeerId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link PeerStore} in the tracker's memory: the default, for a single tracker. Its state is
 * lost when the tracker stops; agents fill it again within one announce interval.
 *
 * <p>Implementation notes: one lock guards a map of peers and an index from manifest digest to
 * the ids in its swarm, so the two always agree. Every operation is a few map updates, except
 * {@link #expire} and {@link #swarms}, which scan all peers; a tracker runs {@code expire} once
 * per announce interval. Reads filter on the time-to-live themselves, so a peer past it is never
 * handed out, whether or not {@code expire} has run.
 */
public final class MemoryPeerStore implements PeerStore {
    private final Duration ttl;
    private final Map<PeerId, Entry> peers = new HashMap<>();
    private final Map<Digest, Set<PeerId>> swarms = new HashMap<>();

    /** A store in which a peer stays live for {@code ttl} after its last announce. */
    public MemoryPeerStore(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("peer store ttl must be positive, got " + ttl);
        }
        this.ttl = ttl;
    }

    @Override
    public synchronized boolean announce(PeerRecord peer, Instant now) {
        Entry old = peers.get(peer.peerId());
        if (old != null && old.liveAt(now) && !old.peer.certificateName().equals(peer.certificateName())) {
            return false;
        }
        if (old != null) {
            unindex(old.peer);
        }
        peers.put(peer.peerId(), new Entry(peer, now.plus(ttl)));
        for (Digest manifest : peer.releases().keySet()) {
            swarms.computeIfAbsent(manifest, m -> new HashSet<>()).add(peer.peerId());
        }
        return true;
    }

    @Override
    public synchronized boolean remove(PeerId peerId) {
        Entry old = peers.remove(peerId);
        if (old == null) {
            return false;
        }
        unindex(old.peer);
        return true;
    }

    @Override
    public synchronized Optional<PeerRecord> find(PeerId peerId, Instant now) {
        Entry e = peers.get(peerId);
        return e != null && e.liveAt(now) ? Optional.of(e.peer) : Optional.empty();
    }

    @Override
    public synchronized List<PeerRecord> peers(Digest manifest, Instant now) {
        Set<PeerId> ids = swarms.getOrDefault(manifest, Set.of());
        List<PeerRecord> live = new ArrayList<>(ids.size());
        for (PeerId id : ids) {
            Entry e = peers.get(id);
            if (e.liveAt(now)) {
                live.add(e.peer);
            }
        }
        return live;
    }

    @Override
    public synchronized int expire(Instant now) {
        int removed = 0;
        for (Iterator<Entry> it = peers.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (!e.liveAt(now)) {
                it.remove();
                unindex(e.peer);
                removed++;
            }
        }
        return removed;
    }

    @Override
    public synchronized int removeCertificate(String certificateName) {
        int removed = 0;
        for (Iterator<Entry> it = peers.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.peer.certificateName().equals(certificateName)) {
                it.remove();
                unindex(e.peer);
                removed++;
            }
        }
        return removed;
    }

    @Override
    public synchronized int count() {
        return peers.size();
    }

    @Override
    public synchronized List<SwarmSummary> swarms(Instant now) {
        List<SwarmSummary> out = new ArrayList<>();
        swarms.forEach((manifest, ids) -> {
            int live = 0;
            int seeders = 0;
            for (PeerId id : ids) {
                Entry e = peers.get(id);
                if (e.liveAt(now)) {
                    live++;
                    seeders += e.peer.isComplete(manifest) ? 1 : 0;
                }
            }
            if (live > 0) {
                out.add(new SwarmSummary(manifest, live, seeders));
            }
        });
        out.sort((a, b) -> a.manifest().compareTo(b.manifest()));
        return out;
    }

    private void unindex(PeerRecord peer) {
        for (Digest manifest : peer.releases().keySet()) {
            Set<PeerId> ids = swarms.get(manifest);
            ids.remove(peer.peerId());
            if (ids.isEmpty()) {
                swarms.remove(manifest);
            }
        }
    }

    /** A peer and the instant its time-to-live runs out. */
    private record Entry(PeerRecord peer, Instant expiresAt) {
        boolean liveAt(Instant now) {
            return now.isBefore(expiresAt);
        }
    }
}
