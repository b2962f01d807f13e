package dev.caravan.agent.seed;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The seeder's choker: decides which interested peers may download from us, a few at a time,
 * rotating the slots fairly so that every interested peer is served in turn.
 *
 * <p>The connection layer reports what peers say ({@link #interested}, {@link #notInterested}),
 * when they go ({@link #disconnected}) and what we send them ({@link #uploaded}), and calls
 * {@link #tick} about once a second. Each call returns the {@link ChokeDecision}s to send, in
 * order; {@link #unchoked()} is the resulting set. At most {@code slots + optimisticSlots} peers
 * are unchoked; a peer that stops being interested is choked and a peer that goes frees its slot
 * within the same call; a peer that is not interested is never unchoked. Pure: no I/O, no
 * threads, time from the injected clock. Thread-safe.
 *
 * @param <P> the peer type; equal peers are the same peer
 */
public final class UploadSlots<P> {

    /*
     * Implementation notes.
     *
     * Why not BitTorrent's choker. BEP 3's choker unchokes the peers that upload to us fastest
     * (tit for tat) and adds one optimistic unchoke so that newcomers, which have nothing to
     * offer yet, get a chance to prove themselves. BEP 3 says a peer with the complete file
     * ranks by its own upload rate instead, and libtorrent offers seeders "fastest_upload",
     * "round_robin" and "anti_leech" (settings_pack::seed_choking_algorithm). Caravan agents
     * seeding a release are one fleet under one operator: nobody needs to be rewarded for
     * reciprocating, and what shortens the time to the LAST machine is spreading our upload
     * evenly, so that every peer gets chunks early and can pass them on. Fastest-upload would
     * feed the peers on the best links and leave the slow ones to the end.
     *
     * The policy: fair share, in turns.
     *  - Peers that wait for a slot queue in the order they started waiting (became interested,
     *    or were choked by a rotation). Free slots always go to the head of the queue at once.
     *  - Every `rotation`, if anyone waits, up to `capacity` waiters take a turn: the incumbents
     *    that RECEIVED THE MOST during their current turn give up their slots (tie: the one that
     *    has held its slot longest) and join the tail of the queue; the head of the queue is
     *    unchoked. "Received the least recently" thus orders everyone: a waiter has received
     *    nothing during a turn it has not had yet, so it ranks before every incumbent, and among
     *    incumbents the one that got least keeps its slot. Without waiters nothing changes: no
     *    pointless choke/unchoke churn (TCP would fall back to slow start for nothing).
     *  - Optimistic slots. In BEP 3 they exist because regular slots go to good reciprocators.
     *    Here every slot already passes round robin to the longest waiter, so an optimistic slot
     *    is simply one more slot of the same kind: the setting is kept so that the count reads
     *    as the familiar "4 + 1" and can be tuned, and capacity = slots + optimisticSlots.
     *
     * Starvation bound. A waiter's position in the queue only falls: newcomers and choked
     * incumbents join behind it, and each rotation unchokes `capacity` peers from the head (or
     * all the waiters there are). A peer that starts waiting behind p others is unchoked by
     * rotation floor(p / capacity) + 1; since p <= n - 1 - capacity when n peers are interested,
     * that is within ceil(n / capacity) rotations (the property test checks this).
     *
     * `uploaded` for a peer that is not unchoked (a DATA frame still in flight when we choked it)
     * is ignored. A rotation that happens late (ticks are coarse) sets the next one a full
     * period after it, so a stalled caller does not get a burst of rotations.
     */

    private final UploadSlotConfig config;
    private final LongSupplier nanoTime;
    private final long rotationNanos;
    /** Interested peers without a slot, longest waiting first. */
    private final LinkedHashSet<P> waiting = new LinkedHashSet<>();
    /** Unchoked peers and their current turn. */
    private final Map<P, Turn> unchoked = new HashMap<>();
    private long nextRotationNanos;
    private long turnsStarted;

    /** One peer's current turn in a slot. */
    private static final class Turn {
        final long order;
        long bytesReceived;

        Turn(long order) {
            this.order = order;
        }
    }

    /**
     * No peers yet; the first rotation is one period from now.
     *
     * @param config   slots and rotation period
     * @param nanoTime monotonic time in nanoseconds ({@code System::nanoTime} in production)
     */
    public UploadSlots(UploadSlotConfig config, LongSupplier nanoTime) {
        this.config = Objects.requireNonNull(config, "config");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.rotationNanos = config.rotation().toNanos();
        this.nextRotationNanos = nanoTime.getAsLong() + rotationNanos;
    }

    /** The peer wants blocks from us: it gets a free slot now or waits for its turn. */
    public synchronized List<ChokeDecision<P>> interested(P peer) {
        Objects.requireNonNull(peer, "peer");
        if (unchoked.containsKey(peer) || !waiting.add(peer)) {
            return List.of();
        }
        List<ChokeDecision<P>> decisions = new ArrayList<>(1);
        fillFreeSlots(decisions);
        return decisions;
    }

    /** The peer wants nothing more from us: it is choked and its slot goes to the next waiter. */
    public synchronized List<ChokeDecision<P>> notInterested(P peer) {
        Objects.requireNonNull(peer, "peer");
        if (waiting.remove(peer) || unchoked.remove(peer) == null) {
            return List.of();
        }
        List<ChokeDecision<P>> decisions = new ArrayList<>(2);
        decisions.add(new ChokeDecision.Choke<>(peer));
        fillFreeSlots(decisions);
        return decisions;
    }

    /** The peer's connection is gone: it is forgotten and its slot goes to the next waiter. */
    public synchronized List<ChokeDecision<P>> disconnected(P peer) {
        Objects.requireNonNull(peer, "peer");
        if (waiting.remove(peer) || unchoked.remove(peer) == null) {
            return List.of();
        }
        List<ChokeDecision<P>> decisions = new ArrayList<>(1);
        fillFreeSlots(decisions);
        return decisions;
    }

    /** We sent the peer {@code bytes} bytes of content; ignored unless the peer is unchoked. */
    public synchronized void uploaded(P peer, long bytes) {
        Objects.requireNonNull(peer, "peer");
        if (bytes < 0) {
            throw new IllegalArgumentException("uploaded bytes is " + bytes + "; must not be negative");
        }
        Turn turn = unchoked.get(peer);
        if (turn != null) {
            long sum = turn.bytesReceived + bytes;
            turn.bytesReceived = sum < 0 ? Long.MAX_VALUE : sum;
        }
    }

    /** Rotates the slots if a rotation period has passed since the last one. */
    public synchronized List<ChokeDecision<P>> tick() {
        long now = nanoTime.getAsLong();
        List<ChokeDecision<P>> decisions = new ArrayList<>();
        if (now - nextRotationNanos >= 0) {
            nextRotationNanos = now + rotationNanos;
            rotate(decisions);
        }
        fillFreeSlots(decisions);
        return decisions;
    }

    /** The peers unchoked now. */
    public synchronized Set<P> unchoked() {
        return Set.copyOf(unchoked.keySet());
    }

    /** Interested peers waiting for a slot, longest waiting first. */
    public synchronized List<P> waiting() {
        return List.copyOf(waiting);
    }

    /** The settings in force. */
    public UploadSlotConfig config() {
        return config;
    }

    private void rotate(List<ChokeDecision<P>> decisions) {
        int turns = Math.min(waiting.size(), unchoked.size());
        if (turns == 0) {
            return;
        }
        List<Map.Entry<P, Turn>> incumbents = new ArrayList<>(unchoked.entrySet());
        incumbents.sort(Comparator.<Map.Entry<P, Turn>>comparingLong(e -> e.getValue().bytesReceived).reversed()
                .thenComparingLong(e -> e.getValue().order));
        for (Map.Entry<P, Turn> e : incumbents.subList(0, turns)) {
            P peer = e.getKey();
            decisions.add(new ChokeDecision.Choke<>(peer));
            waiting.add(peer); // to the tail: it waits behind everyone who was already waiting
        }
        for (int i = 0; i < turns; i++) {
            unchoked.remove(incumbents.get(i).getKey());
        }
    }

    private void fillFreeSlots(List<ChokeDecision<P>> decisions) {
        Iterator<P> next = waiting.iterator();
        while (unchoked.size() < config.capacity() && next.hasNext()) {
            P peer = next.next();
            next.remove();
            unchoked.put(peer, new Turn(turnsStarted++));
            decisions.add(new ChokeDecision.Unchoke<>(peer));
        }
    }
}
