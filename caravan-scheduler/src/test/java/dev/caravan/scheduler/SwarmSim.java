package dev.caravan.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.manifest.ChunkInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * A discrete-event simulation around one {@link DownloadScheduler}: scripted peer events, links
 * that deliver requested blocks after their transfer time, and the scheduler's invariants checked
 * after every call.
 */
final class SwarmSim {
    enum Behavior { HONEST, STALLS, LIES }

    /** A simulated peer: it serves blocks one after another at {@code bytesPerSecond}, each {@code latency} late. */
    record SimPeer(String id, String group, BitSet has, double bytesPerSecond, Duration latency, Behavior behavior) {}

    private record Event(long at, long seq, Runnable run) {}

    private static final Duration TICK = Duration.ofMillis(100);
    final FakeTicker ticker = new FakeTicker();
    final DownloadScheduler<String> scheduler;
    private final Map<String, SimPeer> peers = new HashMap<>();
    private final PriorityQueue<Event> events = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long seq;
    private final Map<String, Long> busyUntil = new HashMap<>();
    private final Set<String> connected = new HashSet<>();
    private final Set<String> unchoked = new HashSet<>();
    /** What each peer told the scheduler it has. */
    private final Map<String, BitSet> announced = new HashMap<>();
    private final SplittableRandom random;
    /** How often a simulated peer sends a block despite our CANCEL (it was already on the wire). */
    double cancelIgnoredProbability;
    final Set<String> banned = new HashSet<>();
    /** Per chunk, who delivered each accepted block (by offset). */
    private final Map<Integer, Map<Integer, String>> accepted = new HashMap<>();
    /** Requests outstanding in the simulated links, so a cancel or choke can drop them. */
    private final Set<String> pending = new HashSet<>();
    final BitSet verified = new BitSet();
    final Map<String, Integer> requests = new HashMap<>();
    double originBytesPerSecond = 1_000_000;
    boolean complete;

    SwarmSim(List<ChunkInfo> chunks, SchedulerConfig config, long seed) {
        this.scheduler = new DownloadScheduler<>(chunks, new BitSet(), "lan", config, ticker, new SplittableRandom(seed));
        this.random = new SplittableRandom(~seed);
    }

    // ---- scripting

    void at(Duration when, Runnable run) {
        events.add(new Event(ticker.read() + when.toNanos(), seq++, run));
    }

    /** The peer connects at {@code when}, sends its bitfield and unchokes us. */
    void join(SimPeer peer, Duration when) {
        add(peer);
        at(when, () -> connect(peer.id()));
        at(when, () -> bitfield(peer.id(), peer.has()));
        at(when, () -> unchoke(peer.id()));
    }

    /** Makes the peer known to the simulation; its events are scripted separately. */
    void add(SimPeer peer) {
        peers.put(peer.id(), peer);
        announced.put(peer.id(), new BitSet());
    }

    void connect(String id) {
        connected.add(id);
        call(() -> scheduler.peerConnected(id, peers.get(id).group()));
    }

    void bitfield(String id, BitSet chunks) {
        if (connected.contains(id)) {
            announced.put(id, (BitSet) chunks.clone());
            call(() -> scheduler.peerBitfield(id, chunks));
        }
    }

    void have(String id, int chunk) {
        if (connected.contains(id)) {
            announced.get(id).set(chunk);
            call(() -> scheduler.peerHave(id, chunk));
        }
    }

    void unchoke(String id) {
        if (connected.contains(id)) {
            unchoked.add(id);
            call(() -> scheduler.peerUnchoked(id));
        }
    }

    void choke(String id) {
        if (connected.contains(id)) {
            unchoked.remove(id);
            pending.removeIf(k -> k.startsWith(id + "|"));
            call(() -> scheduler.peerChoked(id));
        }
    }

    void disconnect(String id) {
        if (connected.remove(id)) {
            unchoked.remove(id);
            pending.removeIf(k -> k.startsWith(id + "|"));
            call(() -> scheduler.peerDisconnected(id));
        }
    }

    void originOn() {
        call(() -> scheduler.originAvailable(true));
    }

    /** Runs until the scheduler reports completion or {@code limit} of simulated time passes. */
    void runFor(Duration limit) {
        long end = ticker.read() + limit.toNanos();
        long nextTick = ticker.read() + TICK.toNanos();
        while (!complete && ticker.read() < end) {
            Event next = events.peek();
            if (next != null && next.at <= nextTick) {
                events.poll();
                ticker.advanceTo(next.at);
                next.run.run();
            } else {
                ticker.advanceTo(nextTick);
                nextTick += TICK.toNanos();
                call(scheduler::tick);
            }
        }
    }

    // ---- the scheduler's side

    private void call(Supplier<List<Action<String>>> event) {
        List<Action<String>> actions = event.get();
        checkInvariants(actions);
        for (Action<String> action : actions) {
            carryOut(action);
        }
    }

    private void checkInvariants(List<Action<String>> actions) {
        for (Action<String> action : actions) {
            Block block = switch (action) {
                case Action.Request<String> r -> {
                    assertThat(banned).as("requested from banned peer %s", r.peer()).doesNotContain(r.peer());
                    assertThat(unchoked).as("requested from choked peer %s", r.peer()).contains(r.peer());
                    assertThat(announced.get(r.peer()).get(r.block().chunk()))
                            .as("%s said it has chunk %d", r.peer(), r.block().chunk()).isTrue();
                    PeerView view = scheduler.peer(r.peer()).orElseThrow();
                    assertThat(view.inFlight()).as("requests in flight to %s", r.peer()).isLessThanOrEqualTo(view.pipelineDepth());
                    yield r.block();
                }
                case Action.FetchFromOrigin<String> f -> {
                    PeerView view = scheduler.origin();
                    assertThat(view.inFlight()).as("origin fetches in flight").isLessThanOrEqualTo(view.pipelineDepth());
                    yield f.block();
                }
                default -> null;
            };
            if (block != null) {
                assertThat(verified.get(block.chunk())).as("requested a block of verified chunk %d", block.chunk()).isFalse();
                boolean missing = action instanceof Action.Request<String> r
                        ? scheduler.accepts(r.peer(), block) : scheduler.acceptsFromOrigin(block);
                assertThat(missing).as("requested a block it already has or would not take: %s", action).isTrue();
            }
        }
    }

    private void carryOut(Action<String> action) {
        switch (action) {
            case Action.Request<String> r -> send(r.peer(), r.block());
            case Action.Cancel<String> c -> {
                if (random.nextDouble() >= cancelIgnoredProbability) {
                    pending.remove(key(c.peer(), c.block()));
                }
            }
            case Action.FetchFromOrigin<String> f -> send(null, f.block());
            case Action.CancelOrigin<String> c -> pending.remove(key(null, c.block()));
            case Action.VerifyChunk<String> v -> verify(v.chunk());
            case Action.SendHave<String> h -> verified.set(h.chunk());
            case Action.Ban<String> b -> {
                banned.add(b.peer());
                disconnect(b.peer());
            }
            case Action.Complete<String> c -> complete = true;
        }
    }

    private void send(String peer, Block block) {
        requests.merge(peer == null ? "origin" : peer, 1, Integer::sum);
        SimPeer sim = peer == null ? null : peers.get(peer);
        if (sim != null && sim.behavior() == Behavior.STALLS) {
            return;
        }
        double rate = sim == null ? originBytesPerSecond : sim.bytesPerSecond();
        long latency = sim == null ? Duration.ofMillis(20).toNanos() : sim.latency().toNanos();
        String link = peer == null ? "origin" : peer;
        long start = Math.max(ticker.read(), busyUntil.getOrDefault(link, Long.MIN_VALUE));
        long done = start + (long) (block.length() * 1e9 / rate);
        busyUntil.put(link, done);
        String key = key(peer, block);
        pending.add(key);
        events.add(new Event(done + latency, seq++, () -> deliver(peer, block, key)));
    }

    private void deliver(String peer, Block block, String key) {
        if (!pending.remove(key)) {
            return;
        }
        boolean accept = peer == null ? scheduler.acceptsFromOrigin(block) : scheduler.accepts(peer, block);
        if (accept) {
            accepted.computeIfAbsent(block.chunk(), c -> new HashMap<>()).put(block.offset(), peer == null ? "origin" : peer);
        }
        call(() -> peer == null ? scheduler.originBlockReceived(block) : scheduler.blockReceived(peer, block));
    }

    private void verify(int chunk) {
        Map<Integer, String> blocks = accepted.remove(chunk);
        boolean good = true;
        for (Map.Entry<Integer, String> e : blocks.entrySet()) {
            SimPeer sim = peers.get(e.getValue());
            good &= sim == null || sim.behavior() != Behavior.LIES;
        }
        assertThat(blocks).as("blocks of chunk %d at verification", chunk).isNotEmpty();
        if (good) {
            call(() -> scheduler.chunkVerified(chunk));
        } else {
            call(() -> scheduler.chunkFailedVerification(chunk));
        }
    }

    private static String key(String peer, Block block) {
        return (peer == null ? "origin" : peer) + "|" + block.chunk() + "|" + block.offset();
    }
}
