package dev.caravan.scheduler;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A place blocks come from — a connected peer or the origin — with what it holds, what we asked
 * of it, and its measured throughput and latency, from which its pipeline depth follows.
 */
final class Source<P> {
    /*
     * Implementation notes
     *
     * Throughput is bytes received during the last second or so of busy time — time during which
     * at least one request to the source was in flight — divided by the busy time from the arrival
     * before the first of them to now (so a source slower than a block a second is measured over
     * its last block, and a new source is sized after its first block). Busy time, not
     * send-to-arrival time: with a pipeline, blocks queue at the sender, so send-to-arrival would
     * measure queueing, not the link. A window of bytes, not a rate per block: blocks reach the
     * scheduler in bursts (several frames decoded in one read, several queued tasks run back to
     * back), and a rate taken between two blocks of one burst is near infinite; a real agent
     * measured that way once believed 10 MB/s peers ran at 2 GB/s and queued 16 MiB at each. The
     * latency is exponentially weighted (alpha = 0.25).
     *
     * The pipeline depth is the bandwidth-delay product in blocks: enough requests queued at the
     * sender to keep its link busy for targetQueueTime, as libtorrent sizes its request queue
     * (settings_pack::request_queue_time, default 3 s, x download rate / bytes per request, capped
     * by max_out_request_queue). A snubbed source — one that let a request time out — gets one request at a time until
     * the snub ends, as libtorrent does for snubbed peers.
     */
    private static final double ALPHA = 0.25;
    private static final long WINDOW_NANOS = 1_000_000_000L;

    final P peer;
    final boolean sameGroup;
    final BitSet has = new BitSet();
    /** The chunks this peer said it is fetching from the origin (FETCHING) and does not hold yet. */
    final BitSet fetching = new BitSet();
    boolean choked = true;
    /** Whether this peer says which chunks it fetches from the origin (FETCHING, protocol version 2). */
    boolean tellsFetching = true;
    /**
     * When this peer last showed that it fetches from the origin: it connected, or sent FETCHING
     * (HAVE, from a peer that never says FETCHING). Whether it shares the origin's chunks with us
     * follows from it (see OriginPolicy).
     */
    long lastSignOfWork;
    /** Requests in flight, oldest first, with their send times in nanoseconds. */
    private final Map<Block, Long> inFlight = new LinkedHashMap<>();
    private double bytesPerSecond = Double.NaN;
    private double latencyNanos = Double.NaN;
    private long lastArrival = Long.MIN_VALUE;
    /** The last time busy time was counted up to. */
    private long lastEvent = Long.MIN_VALUE;
    /** Busy time so far. */
    private long busyNanos;
    private long lastArrivalBusy;
    /**
     * Arrivals within the last window of busy time: busy time at arrival, bytes, and busy time at
     * the arrival before it (when the transfer of these bytes began, as far as we can tell).
     */
    private final ArrayDeque<long[]> recent = new ArrayDeque<>();
    private long recentBytes;
    private long snubbedUntil = Long.MIN_VALUE;

    private Source(P peer, boolean sameGroup) {
        this.peer = peer;
        this.sameGroup = sameGroup;
    }

    static <P> Source<P> peer(P peer, boolean sameGroup) {
        return new Source<>(peer, sameGroup);
    }

    static <P> Source<P> origin() {
        Source<P> origin = new Source<>(null, false);
        origin.choked = false;
        return origin;
    }

    boolean isOrigin() {
        return peer == null;
    }

    /** Whether this peer can be counted on to fetch the chunks it owns from the origin: it showed it within {@code patience}. */
    boolean ownsOriginFetches(long now, long patienceNanos) {
        return now - lastSignOfWork < patienceNanos;
    }

    int inFlight() {
        return inFlight.size();
    }

    boolean isRequested(Block block) {
        return inFlight.containsKey(block);
    }

    Set<Block> requests() {
        return inFlight.keySet();
    }

    void sent(Block block, long now) {
        accrue(now);
        inFlight.put(block, now);
    }

    /** Counts the time since the last event as busy if requests were in flight. */
    private void accrue(long now) {
        if (!inFlight.isEmpty() && lastEvent != Long.MIN_VALUE && now > lastEvent) {
            busyNanos += now - lastEvent;
        }
        lastEvent = Math.max(lastEvent, now);
    }

    /** Forgets a request without measuring anything; returns whether it was in flight. */
    boolean forget(Block block) {
        return inFlight.remove(block) != null;
    }

    /** Records the arrival of a block; measures the source if we had asked it for that block. */
    void arrived(Block block, long now) {
        accrue(now);
        Long sentAt = inFlight.remove(block);
        if (sentAt != null) {
            long previous = recent.isEmpty() ? lastArrivalBusy : recent.getLast()[0];
            recent.addLast(new long[] {busyNanos, block.length(), previous});
            recentBytes += block.length();
            while (recent.size() > 1 && recent.getFirst()[0] <= busyNanos - WINDOW_NANOS) {
                recentBytes -= recent.removeFirst()[1];
            }
            lastArrivalBusy = busyNanos;
            long span = busyNanos - recent.getFirst()[2];
            if (span > 0) {
                bytesPerSecond = recentBytes * 1e9 / span;
            }
            double latency = now - sentAt;
            latencyNanos = Double.isNaN(latencyNanos) ? latency : latencyNanos + ALPHA * (latency - latencyNanos);
        }
        lastArrival = now;
    }

    /** Whether a block arrived from this source at {@code since} or later. */
    boolean deliveredSince(long since) {
        return lastArrival != Long.MIN_VALUE && lastArrival >= since;
    }

    /** The send time of the oldest request in flight, or the last arrival if that is later; MIN_VALUE if idle. */
    long headWaitingSince() {
        if (inFlight.isEmpty()) {
            return Long.MIN_VALUE;
        }
        return Math.max(inFlight.values().iterator().next(), lastArrival);
    }

    /** The length of the oldest request in flight. */
    int headLength() {
        return inFlight.keySet().iterator().next().length();
    }

    /**
     * When this source should deliver {@code block}, in nanoseconds from {@code now}, judging by its
     * queue and measured rate: +infinity if it is not measured or is already late.
     */
    double etaNanos(Block block, long now) {
        if (Double.isNaN(bytesPerSecond) || bytesPerSecond <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        long queuedBytes = 0;
        for (Block b : inFlight.keySet()) {
            queuedBytes += b.length();
            if (b.equals(block)) {
                double eta = headWaitingSince() + queuedBytes * 1e9 / bytesPerSecond - now;
                return eta < 0 ? Double.POSITIVE_INFINITY : eta;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** When this source would deliver one more block of {@code length} bytes asked now; 0 if not measured. */
    double etaOfNextNanos(int length) {
        if (Double.isNaN(bytesPerSecond) || bytesPerSecond <= 0) {
            return 0;
        }
        long queuedBytes = length;
        for (Block b : inFlight.keySet()) {
            queuedBytes += b.length();
        }
        return queuedBytes * 1e9 / bytesPerSecond;
    }

    double bytesPerSecond() {
        return bytesPerSecond;
    }

    void snub(long until) {
        snubbedUntil = until;
        if (!Double.isNaN(bytesPerSecond)) {
            bytesPerSecond /= 2;
        }
    }

    boolean snubbed(long now) {
        return now < snubbedUntil;
    }

    /** How many requests may be in flight to this source now. */
    int depth(SchedulerConfig config, long now) {
        if (snubbed(now)) {
            return 1;
        }
        if (isOrigin()) {
            return config.originMaxInFlight();
        }
        if (Double.isNaN(bytesPerSecond)) {
            return config.minPipelineDepth();
        }
        double blocks = Math.ceil(bytesPerSecond * config.targetQueueTime().toNanos() / 1e9 / config.blockSizeBytes());
        return (int) Math.max(config.minPipelineDepth(), Math.min(config.maxPipelineDepth(), blocks));
    }

    PeerView view(SchedulerConfig config, long now) {
        return new PeerView(inFlight(), depth(config, now), bytesPerSecond, latencyNanos / 1e9, choked, snubbed(now));
    }

    @Override
    public String toString() {
        return isOrigin() ? "origin" : String.valueOf(peer);
    }
}
