package dev.caravan.agent.swarm;

import dev.caravan.agent.ChunkArrivals;
import dev.caravan.core.Digest;
import dev.caravan.core.manifest.ChunkInfo;
import dev.caravan.core.manifest.Manifest;
import dev.caravan.core.manifest.ManifestFile;
import dev.caravan.origin.client.OriginClient;
import dev.caravan.scheduler.Action;
import dev.caravan.scheduler.Block;
import dev.caravan.scheduler.DownloadScheduler;
import dev.caravan.scheduler.SchedulerStats;
import dev.caravan.scheduler.Ticker;
import dev.caravan.wire.Data;
import dev.caravan.wire.Fetching;
import dev.caravan.wire.Goodbye;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.Reject;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One release in an agent's swarm: fetches the chunks the chunk store lacks from peers and, as a
 * budgeted fallback, from the origin, verifies each, stores it, announces it (HAVE) at once, and
 * serves what it holds to peers for as long as it is open.
 *
 * <p>All decisions are the {@link DownloadScheduler}'s; this class feeds it what the peer
 * sessions and the origin report and carries out the {@link Action}s it returns. The scheduler is
 * not thread-safe, so every call to it runs on one thread: one of the network's event loops, picked
 * when the swarm is made (fewer threads and fewer hand-offs than a thread of its own: a busy agent
 * spent a quarter of its CPU in the kernel waking threads); sessions on other loops hop onto it with
 * {@code execute}. Hashing and storing a chunk run on the network's I/O pool, never on a loop.
 *
 * <p>It is also the install's {@link ChunkArrivals}: a chunk's waiter wakes once the chunk is
 * verified and in the store.
 */
public final class ReleaseSwarm implements ChunkArrivals, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReleaseSwarm.class);
    private final PeerNetwork network;
    private final Manifest manifest;
    private final Digest manifestDigest;
    private final List<ChunkInfo> chunks;
    private final HeldChunks held;
    private final OriginClient origin;
    private final String chunksUrl;
    private final EventExecutor loop;
    private final DownloadScheduler<PeerId> scheduler;
    private final Map<Digest, CompletableFuture<Void>> arrivals = new ConcurrentHashMap<>();
    /** Every chunk verified and stored. */
    private final CompletableFuture<Void> complete;
    // loop-confined
    private final Set<PeerSession> open = new LinkedHashSet<>();
    private final Map<PeerId, PeerSession> ready = new HashMap<>();
    private final Map<Integer, byte[]> assembling = new HashMap<>();
    private final Set<PeerId> dialing = ConcurrentHashMap.newKeySet();
    /** The chunks each peer claimed and then refused to serve, for this release. */
    private final Map<PeerId, Set<Integer>> unservedClaims = new HashMap<>();
    /** The peers of the first peer list still connecting; null once none are (or before the list came). */
    private Set<PeerId> settling;
    private boolean settled;
    private final Set<PeerSession> toFlush = new LinkedHashSet<>();
    /** The chunks we told peers we are fetching from the origin (FETCHING) and do not hold yet. */
    private final Set<Integer> fetchingFromOrigin = new LinkedHashSet<>();
    private volatile SchedulerStats stats;
    private volatile boolean closed;
    /** Whether {@link #fail} ran: on the loop only. */
    private boolean failed;
    private ScheduledFuture<?> ticker;

    /**
     * A swarm for {@code published} (verified through TUF by the caller), serving and fetching
     * through {@code network}.
     *
     * @param origin the origin to fall back to, or null to use peers only
     * @param originUrl the repository's base URL (chunks are under {@code chunks/})
     */
    public ReleaseSwarm(PeerNetwork network, ManifestFile published, OriginClient origin, String originUrl) {
        this.network = network;
        this.manifest = published.manifest();
        this.manifestDigest = published.digest();
        this.chunks = manifest.distinctChunks();
        BitSet have = new BitSet(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            if (network.store().has(chunks.get(i).digest())) {
                have.set(i);
            } else {
                arrivals.put(chunks.get(i).digest(), new CompletableFuture<>());
            }
        }
        this.held = new HeldChunks(chunks.size(), have);
        this.complete = CompletableFuture.allOf(arrivals.values().toArray(CompletableFuture[]::new));
        this.origin = origin;
        this.chunksUrl = originUrl == null ? null : (originUrl.endsWith("/") ? originUrl : originUrl + "/") + "chunks/";
        this.loop = network.group().next();
        long started = System.nanoTime();
        Ticker clock = () -> System.nanoTime() - started;
        this.scheduler = new DownloadScheduler<>(chunks, have, network.config().group(), network.config().scheduler(),
                clock, new SplittableRandom(network.config().peerId().hashCode() ^ manifestDigest.hashCode()));
        this.stats = scheduler.stats();
    }

    /** Starts serving and fetching: registers with the network and, if an origin is set, allows it. */
    public ReleaseSwarm start() {
        network.register(this);
        long tick = network.config().tickInterval().toNanos();
        onLoop(() -> {
            apply(scheduler.shareOrigin(shareKey(network.config().peerId()), ReleaseSwarm::shareKey));
            if (origin != null) {
                apply(scheduler.originAvailable(true));
            }
        });
        ticker = loop.scheduleAtFixedRate(() -> {
            if (!closed) {
                apply(scheduler.tick());
            }
        }, tick, tick, TimeUnit.NANOSECONDS);
        return this;
    }

    // ---- what the agent asks

    public Manifest manifest() {
        return manifest;
    }

    public Digest manifestDigest() {
        return manifestDigest;
    }

    public int chunkCount() {
        return chunks.size();
    }

    /** Chunks held verified. */
    public int chunksHeld() {
        return held.cardinality();
    }

    /** Completes when every chunk is verified and stored; fails if a chunk cannot be stored. */
    public CompletableFuture<Void> completion() {
        return complete;
    }

    public boolean isComplete() {
        return complete.isDone() && !complete.isCompletedExceptionally();
    }

    /** What the scheduler has counted (bytes by source, bans, chunks verified). */
    public SchedulerStats stats() {
        return stats;
    }

    /**
     * Dials the peers the tracker named that we are not connected or connecting to. Once those of the
     * first list have connected and sent their bitfields (or failed), the origin may serve chunks none
     * of them has without waiting out the scheduler's grace. An empty list settles nothing: agents
     * that begin a release in the same moment each hear of none of the others, and would all fetch
     * the same chunks from the origin at once; the grace gives the others time to dial us.
     */
    public void connect(List<SwarmAddress> peers) {
        if (closed || isComplete()) {
            return;
        }
        onLoop(() -> {
            boolean first = !settled && settling == null && !peers.isEmpty();
            if (first) {
                settling = new HashSet<>();
            }
            for (SwarmAddress p : peers) {
                if (ready.containsKey(p.peerId()) || p.peerId().equals(network.config().peerId())
                        || dialing.contains(p.peerId())) {
                    continue;
                }
                if (first) {
                    settling.add(p.peerId());
                }
                // At once, though a peer of lower id would win if it dialed us too (see ready): a
                // peer named to us announced before we did, so it hears of us only at its next
                // announce, by when we are connected. Waiting 250 ms for it to dial first, as this
                // did until 2026-12-03, delayed most first connections by that much (decision 004).
                dial(p);
            }
            settleIfDone(null);
        });
    }

    private void dial(SwarmAddress p) {
        if (!closed && !ready.containsKey(p.peerId()) && dialing.add(p.peerId())) {
            network.dial(this, p.peerId(), p.host(), p.port());
        }
    }

    private boolean lowerThanOurs(PeerId peer) {
        return Arrays.compareUnsigned(peer.bytes(), network.config().peerId().bytes()) < 0;
    }

    /** A peer of the first list is done connecting (ready, failed or closed); on the loop. */
    private void settleIfDone(PeerId done) {
        if (settled || settling == null) {
            return;
        }
        if (done != null) {
            settling.remove(done);
        }
        if (settling.isEmpty()) {
            settled = true;
            settling = null;
            apply(scheduler.peersSettled(ready.values().stream().allMatch(PeerSession::tellsFetching)));
        }
    }

    /** A peer's key for sharing origin fetches: the first 8 bytes of its id. */
    private static long shareKey(PeerId peer) {
        return ByteBuffer.wrap(peer.bytes()).getLong();
    }

    /** A peer to dial: its id and address, from the tracker. */
    public record SwarmAddress(PeerId peerId, String host, int port) {}

    @Override
    public CompletableFuture<Void> arrival(Digest chunk) {
        return arrivals.get(chunk);
    }

    @Override
    public byte[] inMemory(Digest chunk) {
        return network.served().getIfPresent(chunk);
    }

    // ---- what sessions report (from their event loops)

    HeldChunks held() {
        return held;
    }

    ChunkInfo chunk(int index) {
        return chunks.get(index);
    }

    void open(PeerSession session) {
        onLoop(() -> {
            if (closed) {
                session.goodbye(Goodbye.Reason.SHUTDOWN, "release no longer offered");
                return;
            }
            open.add(session);
            session.sendBitfield(held.snapshot(), chunks.size());
        });
    }

    void ready(PeerSession session, BitSet remoteHas) {
        onLoop(() -> {
            if (!open.contains(session)) {
                return;
            }
            PeerId id = session.peerId();
            dialing.remove(id);
            PeerSession existing = ready.get(id);
            if (existing != null) {
                // Both sides dialed: keep the connection whose dialer has the lower peer id, on both ends.
                boolean weAreLower = !lowerThanOurs(id);
                boolean newWins = existing.dialer() == session.dialer() || session.dialer() == weAreLower;
                PeerSession loser = newWins ? existing : session;
                PeerSession winner = newWins ? session : existing;
                open.remove(loser);
                loser.goodbye(Goodbye.Reason.DUPLICATE, "already connected for this release");
                if (!newWins) {
                    return;
                }
                ready.put(id, winner);
                apply(scheduler.peerDisconnected(id));
            }
            ready.put(id, session);
            apply(scheduler.peerConnected(id, session.group(), session.tellsFetching()));
            if (ready.get(id) == session) {
                apply(scheduler.peerBitfield(id, remoteHas));
                for (int chunk : fetchingFromOrigin) {
                    session.sendFetching(chunk);
                }
            }
            settleIfDone(id);
        });
    }

    void fetching(PeerSession session, int chunk) {
        onLoop(() -> {
            if (current(session)) {
                apply(scheduler.peerFetching(session.peerId(), chunk));
            }
        });
    }

    void have(PeerSession session, int chunk) {
        onLoop(() -> {
            if (current(session)) {
                apply(scheduler.peerHave(session.peerId(), chunk));
            }
        });
    }

    void choked(PeerSession session) {
        onLoop(() -> {
            if (current(session)) {
                apply(scheduler.peerChoked(session.peerId()));
            }
        });
    }

    void unchoked(PeerSession session) {
        onLoop(() -> {
            if (current(session)) {
                apply(scheduler.peerUnchoked(session.peerId()));
            }
        });
    }

    /**
     * A REJECT. CHOKED and TOO_MANY_REQUESTS are about us (the block goes elsewhere or later); the
     * others say the peer will not serve a chunk it claimed (protocol.md §5, REJECT): the chunk leaves
     * its set, and a peer that does so for {@code maxUnservedClaims} chunks is banned for the release.
     */
    void rejected(PeerSession session, Block block, Reject.Reason reason) {
        onLoop(() -> {
            if (!current(session)) {
                return;
            }
            PeerId peer = session.peerId();
            if (reason == Reject.Reason.CHOKED || reason == Reject.Reason.TOO_MANY_REQUESTS) {
                apply(scheduler.requestRejected(peer, block));
                return;
            }
            Set<Integer> refused = unservedClaims.computeIfAbsent(peer, p -> new HashSet<>());
            refused.add(block.chunk());
            apply(scheduler.peerLacks(peer, block));
            int limit = network.config().limits().maxUnservedClaims();
            if (refused.size() >= limit) {
                apply(scheduler.banPeer(peer, "refused " + refused.size() + " chunks it claimed to hold (last: "
                        + reason + "); the limit is " + limit));
            }
        });
    }

    /** A DATA frame; this takes ownership of {@code data} and releases it. */
    void data(PeerSession session, Block block, Data data) {
        try {
            loop.execute(() -> {
                try {
                    if (!closed && current(session)) {
                        // a block the scheduler did not ask of this peer is only counted, never stored
                        if (scheduler.accepts(session.peerId(), block)) {
                            data.block().getBytes(data.block().readerIndex(), buffer(block.chunk()), block.offset(),
                                    block.length());
                        }
                        apply(scheduler.blockReceived(session.peerId(), block));
                    }
                } finally {
                    data.release();
                }
            });
        } catch (RejectedExecutionException e) {
            data.release();
        }
    }

    void closed(PeerSession session) {
        onLoop(() -> {
            open.remove(session);
            if (current(session)) {
                ready.remove(session.peerId());
                apply(scheduler.peerDisconnected(session.peerId()));
            }
            PeerId id = session.peerIdOrNull() != null ? session.peerIdOrNull() : session.expectedPeer();
            if (id != null) {
                dialing.remove(id);
                settleIfDone(id);
            }
        });
    }

    void dialFailed(PeerId peer) {
        dialing.remove(peer);
        onLoop(() -> settleIfDone(peer));
    }

    /** Runs {@code task} on the swarm's thread unless the swarm is closed by then; false if it will not run. */
    private boolean onLoop(Runnable task) {
        try {
            loop.execute(() -> {
                if (!closed) {
                    task.run();
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }
    private boolean current(PeerSession session) {
        return session.peerIdOrNull() != null && ready.get(session.peerId()) == session;
    }

    private byte[] buffer(int chunk) {
        return assembling.computeIfAbsent(chunk, c -> new byte[chunks.get(c).size()]);
    }

    // ---- carrying out the scheduler's decisions (on the loop)

    private void apply(List<Action<PeerId>> actions) {
        for (Action<PeerId> action : actions) {
            switch (action) {
                case Action.Request<PeerId> r -> {
                    PeerSession s = ready.get(r.peer());
                    if (s != null) {
                        s.request(r.block());
                        toFlush.add(s);
                    }
                }
                case Action.Cancel<PeerId> c -> {
                    PeerSession s = ready.get(c.peer());
                    if (s != null) {
                        s.cancel(c.block());
                        toFlush.add(s);
                    }
                }
                case Action.FetchFromOrigin<PeerId> f -> {
                    fetchFromOrigin(f.block());
                    tellFetching(f.block().chunk());
                }
                case Action.CancelOrigin<PeerId> c -> { }
                case Action.VerifyChunk<PeerId> v -> verify(v.chunk());
                case Action.SendHave<PeerId> h -> announce(h.chunk());
                case Action.Ban<PeerId> b -> {
                    PeerSession s = ready.remove(b.peer());
                    log.warn("banning peer {} from {}: {}", s == null ? b.peer() : s, this, b.reason());
                    if (s != null) {
                        open.remove(s);
                        s.goodbye(Goodbye.Reason.BANNED, b.reason());
                    }
                }
                case Action.Complete<PeerId> c -> log.info("{} verified every chunk: {}", this, scheduler.stats());
            }
        }
        for (PeerSession s : toFlush) {
            s.channel().eventLoop().execute(s::flush);
        }
        toFlush.clear();
        stats = scheduler.stats();
    }

    private void fetchFromOrigin(Block block) {
        Digest digest = chunks.get(block.chunk()).digest();
        origin.fetchRangeAsync(chunksUrl + digest.hex().substring(0, 2) + "/" + digest.hex(), block.offset(), block.length())
                .whenComplete((bytes, error) -> onLoop(() -> {
                    if (closed) {
                        return;
                    }
                    if (error != null || bytes.length != block.length()) {
                        log.debug("origin fetch of {} failed: {}", block, error == null ? bytes.length + " bytes" : error.getMessage());
                        apply(scheduler.originFailed(block));
                    } else {
                        if (scheduler.acceptsFromOrigin(block)) {
                            System.arraycopy(bytes, 0, buffer(block.chunk()), block.offset(), block.length());
                        }
                        apply(scheduler.originBlockReceived(block));
                    }
                }));
    }

    /**
     * Hashes a chunk whose blocks are all in. A good chunk is announced (HAVE) and served from memory
     * at once, and written to the store (temp file, fsync, rename) behind, on other threads: peers
     * need not wait for our disk, nor the next chunk's hash for this one's fsync. The install's
     * waiter wakes once it is stored.
     */
    private void verify(int chunk) {
        byte[] bytes = assembling.remove(chunk);
        ChunkInfo info = chunks.get(chunk);
        byte[] data = bytes != null ? bytes : new byte[info.size()];
        network.blocking().execute(() -> {
            boolean good = Digest.sha256(data).equals(info.digest());
            if (good) {
                network.served().put(info.digest(), data);
            }
            onLoop(() -> apply(good ? scheduler.chunkVerified(chunk) : scheduler.chunkFailedVerification(chunk)));
            if (good) {
                try {
                    network.storing().execute(() -> store(info, data));
                } catch (RejectedExecutionException e) {
                    // the network is shutting down: the chunk is fetched again after a restart
                }
            }
        });
    }

    private void store(ChunkInfo info, byte[] data) {
        try {
            network.store().putVerified(info.digest(), data);
            CompletableFuture<Void> arrival = arrivals.get(info.digest());
            if (arrival != null) {
                arrival.complete(null);
            }
        } catch (IOException e) {
            onLoop(() -> fail(new IOException("cannot store chunk " + info.digest().shortHex() + " in "
                    + network.store().root() + ": " + e.getMessage(), e)));
        }
    }
    /**
     * Tells the connected peers that {@code chunk} is on its way from the origin to us (FETCHING),
     * once per chunk, so that none of them fetches it from the origin too; at most
     * {@link Fetching#MAX_OUTSTANDING} chunks are told and not yet held.
     */
    private void tellFetching(int chunk) {
        if (held.get(chunk) || fetchingFromOrigin.size() >= Fetching.MAX_OUTSTANDING || !fetchingFromOrigin.add(chunk)) {
            return;
        }
        for (PeerSession s : ready.values()) {
            s.sendFetching(chunk);
        }
    }

    private void announce(int chunk) {
        fetchingFromOrigin.remove(chunk);
        held.set(chunk);
        for (PeerSession s : open) {
            s.sendHave(chunk);
        }
    }

    private void fail(IOException e) {
        if (failed) {
            return; // a full disk fails every write behind the first: said once
        }
        failed = true;
        log.error("{} failed: {}", this, e.getMessage());
        for (CompletableFuture<Void> f : arrivals.values()) {
            f.completeExceptionally(e);
        }
    }

    @Override
    public String toString() {
        return manifest.releaseId() + " (" + manifestDigest.shortHex() + ")";
    }

    /** Stops fetching and serving this release; waiting installs fail. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        network.unregister(this);
        if (ticker != null) {
            ticker.cancel(false);
        }
        Runnable stop = () -> {
            for (PeerSession s : open) {
                s.goodbye(Goodbye.Reason.SHUTDOWN, "release no longer offered");
            }
            open.clear();
            ready.clear();
            assembling.clear();
            IOException stopped = new IOException(this + " was closed before every chunk arrived");
            for (CompletableFuture<Void> f : arrivals.values()) {
                f.completeExceptionally(stopped);
            }
        };
        if (loop.inEventLoop()) {
            stop.run();
        } else {
            try {
                loop.submit(stop).syncUninterruptibly();
            } catch (RejectedExecutionException e) {
                stop.run(); // the event loops are shutting down: nothing else runs on them any more
            }
        }
    }
}
