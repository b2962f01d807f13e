package dev.caravan.scheduler;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The sources of one download — connected peers, banned peers and the origin — and the filling of
 * their pipelines with requests.
 */
final class Swarm<P> {
    /*
     * Implementation notes
     *
     * Filling: each unchoked source in turn — same group first, then those not snubbed, then the
     * fastest — gets blocks until its pipeline is full; the origin comes last, so it is the source
     * of what peers cannot take, and it takes no part in endgame duplication: a peer that stalls
     * loses its requests to the timeout, and the origin may take them then.
     *
     * Groups: a peer of another group serves a chunk only if allowOtherGroups is set or no peer of
     * our group has that chunk.
     */
    private final SchedulerConfig config;
    private final String localGroup;
    private final PiecePicker<P> picker;
    private final OriginPolicy originPolicy;
    final Map<P, Source<P>> peers = new LinkedHashMap<>();
    final Set<P> banned = new HashSet<>();
    final Source<P> origin = Source.origin();
    boolean originAvailable;
    /** How peers are keyed for sharing the origin, or null if every chunk is ours (see OriginPolicy). */
    private ToLongFunction<P> shareKey;
    private long ownKey;
    /** The chunks we own for origin fetches, when sharing. */
    private final BitSet ours = new BitSet();
    /** The connected peers that own origin fetches with us: those that show they fetch (see OriginPolicy). */
    private final Set<P> owners = new HashSet<>();
    /** Per chunk, how many connected peers said they are fetching it from the origin (FETCHING). */
    private final int[] fetchedByPeers;
    /**
     * The chunks the origin was asked for a block of: ours to finish from the origin while no peer
     * has them, whoever owns them by now and whoever else says it fetches them. Peers are told
     * (FETCHING) and leave such a chunk to us; were we to leave it to a joiner that owns it now,
     * and the joiner to us, it would wait for the fallback delay.
     */
    private final BitSet begunFromOrigin = new BitSet();

    Swarm(SchedulerConfig config, String localGroup, PiecePicker<P> picker, OriginPolicy originPolicy) {
        this.config = config;
        this.localGroup = localGroup;
        this.picker = picker;
        this.originPolicy = originPolicy;
        this.fetchedByPeers = new int[picker.chunkCount()];
    }

    /** Adds a peer unless it is banned or already there; returns false if it is banned. */
    boolean connect(P peer, String group, boolean tellsFetching, long now) {
        if (banned.contains(peer)) {
            return false;
        }
        if (!peers.containsKey(peer)) {
            Source<P> s = Source.peer(peer, localGroup.equals(group));
            s.tellsFetching = tellsFetching;
            s.lastSignOfWork = now;
            peers.put(peer, s);
            owners.add(peer);
            recomputeShare();
        }
        return true;
    }

    /**
     * Drops from the owners of origin fetches the peers that stopped showing work, and takes back
     * those that show it again; their chunks change owner at once.
     */
    void reviewOwners(long now) {
        boolean changed = false;
        long patience = config.ownerPatience().toNanos();
        for (Source<P> s : peers.values()) {
            boolean owner = s.ownsOriginFetches(now, patience);
            changed |= owner ? owners.add(s.peer) : owners.remove(s.peer);
        }
        if (changed) {
            recomputeShare();
        }
    }

    private void signOfWork(Source<P> s, long now) {
        s.lastSignOfWork = now;
        if (owners.add(s.peer)) {
            recomputeShare();
        }
    }

    /** Shares origin fetches with the connected peers: {@code keyOf} keys a peer, {@code own} is ours. */
    void shareOrigin(long own, ToLongFunction<P> keyOf) {
        this.ownKey = own;
        this.shareKey = keyOf;
        recomputeShare();
    }

    private void recomputeShare() {
        if (shareKey == null) {
            return;
        }
        ours.clear();
        long[] keys = new long[owners.size()];
        int k = 0;
        for (P p : owners) {
            keys[k++] = shareKey.applyAsLong(p);
        }
        for (int c = 0; c < picker.chunkCount(); c++) {
            long mine = OriginPolicy.score(ownKey, c);
            boolean highest = true;
            for (long key : keys) {
                if (Long.compareUnsigned(OriginPolicy.score(key, c), mine) > 0) {
                    highest = false;
                    break;
                }
            }
            ours.set(c, highest);
        }
    }

    /** Ends the origin's grace, later if the swarm is already under way (see OriginPolicy). */
    void settleOrigin(long now, boolean peersTellFetching) {
        boolean underWay = peers.values().stream().anyMatch(s -> !s.has.isEmpty());
        if (!underWay) {
            originPolicy.settle(now);
        } else if (peersTellFetching) {
            originPolicy.settle(now + OriginPolicy.JOIN_WINDOW_NANOS);
        }
    }

    /** {@code s} said it is fetching {@code chunk} from the origin; until it has it, we do not. */
    void addFetching(Source<P> s, int chunk, long now) {
        if (!s.has.get(chunk) && !s.fetching.get(chunk)) {
            s.fetching.set(chunk);
            fetchedByPeers[chunk]++;
        }
        signOfWork(s, now);
    }

    private void clearFetching(Source<P> s, int chunk) {
        if (s.fetching.get(chunk)) {
            s.fetching.clear(chunk);
            fetchedByPeers[chunk]--;
        }
    }

    private boolean ours(int chunk) {
        return shareKey == null || ours.get(chunk);
    }

    /** Removes a peer and its chunks from the availability counts; null if it was not connected. */
    Source<P> remove(P peer) {
        Source<P> s = peers.remove(peer);
        if (s != null) {
            owners.remove(peer);
            count(s, -1);
            for (int c = s.fetching.nextSetBit(0); c >= 0; c = s.fetching.nextSetBit(c + 1)) {
                fetchedByPeers[c]--;
            }
            s.fetching.clear();
            recomputeShare();
        }
        return s;
    }

    void replaceBitfield(Source<P> s, BitSet chunks) {
        count(s, -1);
        s.has.clear();
        s.has.or(chunks.get(0, picker.chunkCount()));
        count(s, +1);
    }

    void addHave(Source<P> s, int chunk, long now) {
        clearFetching(s, chunk);
        if (!s.tellsFetching) {
            signOfWork(s, now); // a chunk from anywhere: all such a peer shows of its work
        }
        if (!s.has.get(chunk)) {
            s.has.set(chunk);
            picker.availability[chunk]++;
            if (s.sameGroup) {
                picker.sameGroupAvailability[chunk]++;
            }
        }
    }

    void removeHave(Source<P> s, int chunk) {
        if (chunk >= 0 && chunk < picker.chunkCount() && s.has.get(chunk)) {
            s.has.clear(chunk);
            picker.availability[chunk]--;
            if (s.sameGroup) {
                picker.sameGroupAvailability[chunk]--;
            }
        }
    }

    /** Every source that may have requests in flight: the peers and the origin. */
    List<Source<P>> all() {
        List<Source<P>> sources = new ArrayList<>(peers.values());
        sources.add(origin);
        return sources;
    }

    /** Gives every source with room in its pipeline blocks to fetch, adding the requests to {@code out}. */
    void fill(long now, List<Action<P>> out) {
        List<Source<P>> order = new ArrayList<>();
        for (Source<P> s : peers.values()) {
            if (!s.choked) {
                order.add(s);
            }
        }
        order.sort(Comparator.<Source<P>, Boolean>comparing(s -> !s.sameGroup)
                .thenComparing(s -> s.snubbed(now))
                .thenComparing(s -> Double.isNaN(s.bytesPerSecond()) ? 0.0 : -s.bytesPerSecond()));
        if (originAvailable) {
            order.add(origin);
        }
        BitSet offered = originAvailable && originPolicy.pastFallbackDelay(now) ? offeredByPeers(now) : null;
        PiecePicker.Alternatives<P> alternatives = (chunk, excluded) -> alternativesExist(chunk, excluded, now, offered);
        for (Source<P> s : order) {
            int depth = s.depth(config, now);
            while (s.inFlight() < depth) {
                Block block = picker.pick(s, c -> canServe(s, c, now, offered), alternatives);
                if (block == null && !s.isOrigin() && config.endgameDuplicates() > 0 && picker.allRequested()) {
                    block = picker.pickDuplicate(s, c -> canServe(s, c, now, offered), alternatives,
                            1 + config.endgameDuplicates(), now);
                }
                if (block == null) {
                    break;
                }
                s.sent(block, now);
                if (s.isOrigin()) {
                    begunFromOrigin.set(block.chunk());
                }
                picker.started.get(block.chunk()).requested(picker.indexOf(block), s);
                out.add(s.isOrigin() ? new Action.FetchFromOrigin<>(block) : new Action.Request<>(s.peer, block));
            }
        }
    }

    /**
     * Whether {@code s} may be asked for {@code chunk}. {@code offered} is, once the fallback delay
     * has passed, the chunks some peer is in a position to deliver (else null).
     */
    private boolean canServe(Source<P> s, int chunk, long now, BitSet offered) {
        if (s.isOrigin()) {
            if (begunFromOrigin.get(chunk) && picker.availability[chunk] == 0) {
                return originAvailable;
            }
            return originAvailable && originPolicy.mayFetch(picker.availability[chunk] + fetchedByPeers[chunk], ours(chunk),
                    offered != null && offered.get(chunk), now);
        }
        return !s.choked && s.has.get(chunk)
                && (s.sameGroup || config.allowOtherGroups() || picker.sameGroupAvailability[chunk] == 0);
    }

    /**
     * The chunks that a peer delivering to us has: one that sent us a block within the last
     * snubDuration, has not let a request time out since (is not snubbed), and may serve the chunk
     * by the group rule. It may be choking us at the moment: upload slots rotate every few seconds,
     * and a peer that served us lately will again. A peer that never sends anything does not hold
     * chunks back from the origin.
     */
    private BitSet offeredByPeers(long now) {
        BitSet offered = new BitSet(picker.chunkCount());
        long recently = now - config.snubDuration().toNanos();
        for (Source<P> s : peers.values()) {
            if (s.snubbed(now) || !s.deliveredSince(recently)) {
                continue;
            }
            if (s.sameGroup || config.allowOtherGroups()) {
                offered.or(s.has);
            } else {
                for (int c = s.has.nextSetBit(0); c >= 0; c = s.has.nextSetBit(c + 1)) {
                    if (picker.sameGroupAvailability[c] == 0) {
                        offered.set(c);
                    }
                }
            }
        }
        return offered;
    }

    private boolean alternativesExist(int chunk, Set<Source<P>> excluded, long now, BitSet offered) {
        for (Source<P> s : peers.values()) {
            if (!excluded.contains(s) && canServe(s, chunk, now, offered)) {
                return true;
            }
        }
        return !excluded.contains(origin) && canServe(origin, chunk, now, offered);
    }

    private void count(Source<P> s, int delta) {
        for (int c = s.has.nextSetBit(0); c >= 0; c = s.has.nextSetBit(c + 1)) {
            picker.availability[c] += delta;
            if (s.sameGroup) {
                picker.sameGroupAvailability[c] += delta;
            }
        }
    }
}
