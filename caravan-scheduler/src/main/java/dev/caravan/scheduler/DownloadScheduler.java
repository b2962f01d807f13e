package dev.caravan.scheduler;

import dev.caravan.core.manifest.ChunkInfo;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The download scheduler of one release: a deterministic state machine that takes what happens in
 * the swarm (peers, their bitfields, blocks arriving, verification results, the passing of time)
 * and answers with the {@link Action}s the I/O layer should carry out.
 *
 * <p>It does no I/O and keeps no thread: the caller serializes the calls (one event loop), passes
 * a {@link Ticker} for time and a seeded {@link RandomGenerator} for tie-breaks, and calls
 * {@link #tick()} every few hundred milliseconds so that timeouts and the origin fallback fire.
 * Every event method returns the actions it causes, in order.
 *
 * <p>Contract with the I/O layer: a peer starts choked (as in BEP 3) and gets no request until
 * {@link #peerUnchoked}; the origin is not used until {@link #originAvailable}{@code (true)}. Store a
 * received block's bytes only if {@link #accepts} says so, then report it with {@link #blockReceived};
 * on {@link Action.VerifyChunk}, hash the chunk and report the result.
 *
 * @param <P> how the caller names a peer (for example the wire's peer id); needs {@code equals} and {@code hashCode}
 */
public final class DownloadScheduler<P> {
    /*
     * Implementation notes
     *
     * The policies live in small collaborators: PiecePicker (rarest first, strict priority for
     * started chunks, endgame — BEP 3 and the libtorrent manual's "piece picker"), Source
     * (throughput-weighted pipeline depth, libtorrent's request queue sizing), TimeoutPolicy
     * (stalls), OriginPolicy (the budgeted fallback) and Swarm (the sources and the filling of their
     * pipelines). This class routes events, keeps the books on bad chunks and counts.
     *
     * After every event, Swarm fills the pipelines of the sources with room (same group first, the
     * origin last).
     *
     * Bad chunks: peers are untrusted, so each block remembers who delivered it. A chunk that fails
     * verification with a single contributor gets that peer banned. With several contributors we
     * cannot tell which one lied, so nobody is banned yet: the chunk is fetched again from a single
     * source (the first one asked, "pinned"), and if that copy fails too, its one contributor is
     * banned. A pin that is lost (the source leaves, chokes or stalls) throws away that source's
     * blocks of the chunk so that the single-source rule holds. A banned peer's blocks in chunks
     * still being fetched are thrown away too.
     */
    private final SchedulerConfig config;
    private final Ticker ticker;
    private final PiecePicker<P> picker;
    private final TimeoutPolicy timeoutPolicy;
    private final Swarm<P> swarm;
    private final Map<P, Source<P>> peers;
    private final Source<P> origin;
    private boolean completeReported;
    private long bytesFromSameGroup;
    private long bytesFromOtherGroups;
    private long bytesFromOrigin;
    private long duplicateBytes;
    private long requestsTimedOut;
    private int chunksVerified;
    private int chunksFailedVerification;

    /**
     * A scheduler for a release whose chunks are {@code chunks} (index = position), of which we
     * already have those set in {@code have}; its clock starts now.
     */
    public DownloadScheduler(List<ChunkInfo> chunks, BitSet have, String localGroup, SchedulerConfig config,
            Ticker ticker, RandomGenerator random) {
        this.config = Objects.requireNonNull(config, "config");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.picker = new PiecePicker<>(chunks, have, config.blockSizeBytes(), Objects.requireNonNull(random, "random"));
        this.timeoutPolicy = new TimeoutPolicy(config);
        this.swarm = new Swarm<>(config, Objects.requireNonNull(localGroup, "localGroup"), picker,
                new OriginPolicy(config, ticker.read()));
        this.peers = swarm.peers;
        this.origin = swarm.origin;
    }

    // ---- events: peers

    /**
     * A peer of {@code group} that says which chunks it fetches from the origin ({@link #peerFetching})
     * completed its handshake; it is choked and has nothing until told otherwise.
     */
    public List<Action<P>> peerConnected(P peer, String group) {
        return peerConnected(peer, group, true);
    }

    /**
     * A peer of {@code group} completed its handshake; {@code tellsFetching} if it says which chunks
     * it fetches from the origin (protocol version 2). Such a peer keeps its share of the origin's
     * chunks while it says FETCHING; one that does not, while it sends HAVE ({@code ownerPatience}).
     */
    public List<Action<P>> peerConnected(P peer, String group, boolean tellsFetching) {
        List<Action<P>> out = new ArrayList<>();
        if (!swarm.connect(peer, group, tellsFetching, ticker.read())) {
            out.add(new Action.Ban<>(peer, "banned earlier in this release"));
        }
        return finish(out);
    }

    /** The chunks {@code peer} has, replacing what it said before. */
    public List<Action<P>> peerBitfield(P peer, BitSet chunks) {
        Source<P> s = peers.get(peer);
        if (s != null) {
            swarm.replaceBitfield(s, chunks);
        }
        return fillAndFinish(new ArrayList<>());
    }

    /** {@code peer} now has {@code chunk}. */
    public List<Action<P>> peerHave(P peer, int chunk) {
        Source<P> s = peers.get(peer);
        if (s != null && chunk >= 0 && chunk < picker.chunkCount()) {
            swarm.addHave(s, chunk, ticker.read());
        }
        return fillAndFinish(new ArrayList<>());
    }

    /** {@code peer} choked us: it drops our requests (BEP 3), which go to other sources. */
    public List<Action<P>> peerChoked(P peer) {
        List<Action<P>> out = new ArrayList<>();
        Source<P> s = peers.get(peer);
        if (s != null) {
            s.choked = true;
            release(s, false, false, out);
        }
        return fillAndFinish(out);
    }

    /** {@code peer} unchoked us: it takes requests. */
    public List<Action<P>> peerUnchoked(P peer) {
        Source<P> s = peers.get(peer);
        if (s != null) {
            s.choked = false;
        }
        return fillAndFinish(new ArrayList<>());
    }

    /** {@code peer}'s connection closed; its requests go to other sources. */
    public List<Action<P>> peerDisconnected(P peer) {
        List<Action<P>> out = new ArrayList<>();
        Source<P> s = swarm.remove(peer);
        if (s != null) {
            release(s, false, false, out);
        }
        return fillAndFinish(out);
    }

    /** {@code peer} refused a request (REJECT); the block goes to another source if there is one. */
    public List<Action<P>> requestRejected(P peer, Block block) {
        Source<P> s = peers.get(peer);
        if (s != null && s.forget(block)) {
            unrequest(s, block, true);
        }
        return fillAndFinish(new ArrayList<>());
    }

    /**
     * {@code peer} refused a request for {@code block} saying it does not hold the chunk, after
     * claiming it (a BITFIELD or HAVE): the chunk leaves what it is asked for, and the block goes
     * to another source. Whether such a peer is lying is the caller's to judge ({@link #banPeer}).
     */
    public List<Action<P>> peerLacks(P peer, Block block) {
        Source<P> s = peers.get(peer);
        if (s != null) {
            if (s.forget(block)) {
                unrequest(s, block, true);
            }
            swarm.removeHave(s, block.chunk());
        }
        return fillAndFinish(new ArrayList<>());
    }

    /**
     * Bans {@code peer} for this release for a reason the caller judged (a peer that claims chunks it
     * does not serve, for example): its requests go elsewhere, its blocks are thrown away, and it is
     * refused if it connects again. Answers with {@link Action.Ban}.
     */
    public List<Action<P>> banPeer(P peer, String reason) {
        List<Action<P>> out = new ArrayList<>();
        Source<P> s = peers.get(peer);
        if (s != null) {
            ban(s, reason, out);
        }
        return fillAndFinish(out);
    }

    // ---- events: blocks and chunks

    /** Whether the I/O layer should store the bytes of {@code block} that {@code peer} sent. */
    public boolean accepts(P peer, Block block) {
        Source<P> s = peers.get(peer);
        return s != null && accepts(s, block);
    }

    /** Whether the I/O layer should store the bytes of {@code block} that the origin sent. */
    public boolean acceptsFromOrigin(Block block) {
        return accepts(origin, block);
    }

    /**
     * The bytes of {@code block} arrived from {@code peer}. Ask {@link #accepts} first: a block not
     * asked of that peer, or no longer needed, is counted as wasted and otherwise ignored.
     */
    public List<Action<P>> blockReceived(P peer, Block block) {
        Source<P> s = peers.get(peer);
        return s == null ? finish(new ArrayList<>()) : received(s, block);
    }

    /** The bytes of {@code block} arrived from the origin. */
    public List<Action<P>> originBlockReceived(Block block) {
        return received(origin, block);
    }

    /** The origin failed to deliver {@code block}; it is held to one fetch at a time for a while. */
    public List<Action<P>> originFailed(Block block) {
        if (origin.forget(block)) {
            unrequest(origin, block, true);
            origin.snub(ticker.read() + config.snubDuration().toNanos());
        }
        return fillAndFinish(new ArrayList<>());
    }

    /**
     * Shares the origin with the connected peers: from now on a chunk nobody has goes to the origin
     * only if this agent owns it, by rendezvous hashing of the peers' keys (see {@code OriginPolicy}),
     * so that agents that see each other fetch each chunk over the WAN about once. Without this
     * call every such chunk may go to the origin.
     *
     * @param ownKey this agent's key (from its peer id)
     * @param keyOf a connected peer's key, computed the same way
     */
    public List<Action<P>> shareOrigin(long ownKey, java.util.function.ToLongFunction<P> keyOf) {
        swarm.shareOrigin(ownKey, keyOf);
        return fillAndFinish(new ArrayList<>());
    }

    /**
     * The peers known at the start have connected and sent their bitfields (or failed to): a chunk
     * none of them has may go to the origin at once, without waiting out {@code originGrace}. If
     * one of them already holds chunks, the swarm is under way and some of its chunks are on their
     * way from the origin to peers: if {@code peersTellFetching} (they all say what they fetch from
     * the origin, {@link #peerFetching}, which follows their bitfields within a round trip), the
     * grace ends 250 ms from now, or at {@code originGrace} if sooner; if not, at {@code originGrace}.
     */
    public List<Action<P>> peersSettled(boolean peersTellFetching) {
        swarm.settleOrigin(ticker.read(), peersTellFetching);
        return fillAndFinish(new ArrayList<>());
    }

    /**
     * {@code peer} is fetching {@code chunk} from the origin (FETCHING): until it has the chunk (or
     * leaves), the chunk does not go to the origin from here, except after {@code originFallbackDelay}.
     */
    public List<Action<P>> peerFetching(P peer, int chunk) {
        Source<P> s = peers.get(peer);
        if (s != null && chunk >= 0 && chunk < picker.chunkCount()) {
            swarm.addFetching(s, chunk, ticker.read());
        }
        return List.of();
    }

    /** Whether the origin can be used at all (configured and reachable). */
    public List<Action<P>> originAvailable(boolean available) {
        List<Action<P>> out = new ArrayList<>();
        swarm.originAvailable = available;
        if (!available) {
            release(origin, false, true, out);
        }
        return fillAndFinish(out);
    }

    /**
     * {@code chunk}'s bytes matched its digest (after {@link Action.VerifyChunk}, or because the chunk
     * store had it); HAVE goes out at once for it and for every index with the same digest.
     */
    public List<Action<P>> chunkVerified(int chunk) {
        Objects.checkIndex(chunk, picker.chunkCount());
        List<Action<P>> out = new ArrayList<>();
        for (int twin : picker.twins(chunk)) {
            if (picker.have.get(twin)) {
                continue;
            }
            picker.have.set(twin);
            picker.verifying.clear(twin);
            picker.suspect.clear(twin);
            ChunkProgress<P> progress = picker.started.remove(twin);
            if (progress != null) {
                cancelAll(progress, out);
            }
            chunksVerified++;
            out.add(new Action.SendHave<>(twin));
        }
        return fillAndFinish(out);
    }

    /** {@code chunk}'s bytes did not match its digest: its blocks are thrown away and fetched again. */
    public List<Action<P>> chunkFailedVerification(int chunk) {
        List<Action<P>> out = new ArrayList<>();
        if (chunk >= 0 && chunk < picker.chunkCount() && picker.verifying.get(chunk)) {
            chunksFailedVerification++;
            picker.verifying.clear(chunk);
            ChunkProgress<P> progress = picker.started.remove(chunk);
            Set<Source<P>> contributors = progress.contributors();
            if (contributors.size() == 1) {
                Source<P> culprit = contributors.iterator().next();
                picker.suspect.clear(chunk);
                if (!culprit.isOrigin()) {
                    ban(culprit, "sent chunk " + chunk + " that failed verification", out);
                }
            } else {
                picker.suspect.set(chunk);
            }
        }
        return fillAndFinish(out);
    }

    /**
     * Time passed: requests that stalled move elsewhere, peers that stopped showing they fetch lose
     * their share of the origin's chunks ({@code ownerPatience}), and the origin fallback may start.
     */
    public List<Action<P>> tick() {
        List<Action<P>> out = new ArrayList<>();
        long now = ticker.read();
        swarm.reviewOwners(now);
        for (Source<P> s : swarm.all()) {
            if (timeoutPolicy.stalled(s, now)) {
                requestsTimedOut += s.inFlight();
                release(s, true, true, out);
                s.snub(now + config.snubDuration().toNanos());
            }
        }
        return fillAndFinish(out);
    }

    // ---- queries

    /** Whether every chunk is verified. */
    public boolean isComplete() {
        return picker.isComplete();
    }

    /** What has been counted so far. */
    public SchedulerStats stats() {
        return new SchedulerStats(bytesFromSameGroup, bytesFromOtherGroups, bytesFromOrigin, duplicateBytes,
                requestsTimedOut, swarm.banned.size(), chunksVerified, chunksFailedVerification);
    }

    /** What the scheduler knows of a connected peer, if it is connected and not banned. */
    public Optional<PeerView> peer(P peer) {
        Source<P> s = peers.get(peer);
        return s == null ? Optional.empty() : Optional.of(s.view(config, ticker.read()));
    }

    /** The same view of the origin. */
    public PeerView origin() {
        return origin.view(config, ticker.read());
    }

    /** Whether {@code peer} is banned for this release. */
    public boolean isBanned(P peer) {
        return swarm.banned.contains(peer);
    }

    // ---- internals

    /**
     * A block is taken only from a source we asked for it, while the request stands: unsolicited
     * data is how a peer would slip bad bytes into a chunk that others are delivering.
     */
    private boolean accepts(Source<P> s, Block block) {
        if (!s.isRequested(block) || !picker.needs(block)) {
            return false;
        }
        ChunkProgress<P> progress = picker.started.get(block.chunk());
        return progress == null || progress.pinned == null || progress.pinned == s;
    }

    private List<Action<P>> received(Source<P> s, Block block) {
        List<Action<P>> out = new ArrayList<>();
        boolean accepted = accepts(s, block);
        s.arrived(block, ticker.read());
        if (s.isOrigin()) {
            bytesFromOrigin += block.length();
        } else if (s.sameGroup) {
            bytesFromSameGroup += block.length();
        } else {
            bytesFromOtherGroups += block.length();
        }
        if (!accepted) {
            duplicateBytes += block.length();
            if (picker.indexOf(block) >= 0) {
                unrequest(s, block, false);
            }
            return fillAndFinish(out);
        }
        ChunkProgress<P> progress = picker.start(block.chunk());
        if (progress.singleSource && progress.pinned == null) {
            progress.pinned = s;
        }
        for (Source<P> other : progress.received(picker.indexOf(block), s)) {
            other.forget(block);
            out.add(other.isOrigin() ? new Action.CancelOrigin<>(block) : new Action.Cancel<>(other.peer, block));
        }
        if (progress.isComplete()) {
            picker.verifying.set(block.chunk());
            out.add(new Action.VerifyChunk<>(block.chunk()));
        }
        return fillAndFinish(out);
    }

    /** Takes back every request in flight to {@code s}, optionally remembering it failed them and sending CANCEL. */
    private void release(Source<P> s, boolean avoid, boolean cancel, List<Action<P>> out) {
        for (Block block : List.copyOf(s.requests())) {
            s.forget(block);
            unrequest(s, block, avoid);
            if (cancel) {
                out.add(s.isOrigin() ? new Action.CancelOrigin<>(block) : new Action.Cancel<>(s.peer, block));
            }
        }
        for (ChunkProgress<P> progress : picker.started.values()) {
            if (progress.pinned == s && picker.isWanted(progress.chunk)) {
                progress.discardFrom(s);
                progress.pinned = null;
            }
        }
    }

    private void unrequest(Source<P> s, Block block, boolean avoid) {
        ChunkProgress<P> progress = picker.started.get(block.chunk());
        int index = picker.indexOf(block);
        if (progress != null && index >= 0) {
            progress.unrequested(index, s);
            if (avoid) {
                progress.avoid(index, s);
            }
        }
    }

    private void cancelAll(ChunkProgress<P> progress, List<Action<P>> out) {
        for (int b = 0; b < progress.blockCount; b++) {
            Block block = picker.block(progress.chunk, b);
            for (Source<P> s : List.copyOf(progress.requestedFrom(b))) {
                s.forget(block);
                out.add(s.isOrigin() ? new Action.CancelOrigin<>(block) : new Action.Cancel<>(s.peer, block));
            }
        }
    }

    private void ban(Source<P> s, String reason, List<Action<P>> out) {
        swarm.banned.add(s.peer);
        if (swarm.remove(s.peer) != null) {
            release(s, false, false, out);
        }
        for (ChunkProgress<P> progress : picker.started.values()) {
            if (picker.isWanted(progress.chunk)) {
                progress.discardFrom(s);
            }
        }
        out.add(new Action.Ban<>(s.peer, reason));
    }

    private List<Action<P>> fillAndFinish(List<Action<P>> out) {
        swarm.fill(ticker.read(), out);
        return finish(out);
    }

    private List<Action<P>> finish(List<Action<P>> out) {
        if (!completeReported && picker.isComplete()) {
            completeReported = true;
            out.add(new Action.Complete<>());
        }
        return out;
    }
}
