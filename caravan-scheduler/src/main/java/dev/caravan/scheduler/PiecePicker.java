package dev.caravan.scheduler;

import dev.caravan.core.Digest;
import dev.caravan.core.manifest.ChunkInfo;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.random.RandomGenerator;

/**
 * The piece picker: which chunks we have, how many peers have each, which chunks are started, and
 * which block a source should be asked for next.
 */
final class PiecePicker<P> {
    /*
     * Implementation notes
     *
     * The policies are BitTorrent's (BEP 3; B. Cohen, "Incentives Build Robustness in BitTorrent",
     * 2003, section 2.3 "Piece Selection"; the libtorrent manual on its piece picker).
     *
     * Rarest first: a new
     * chunk is the one fewest connected peers have, so that rare chunks get copied before the peers
     * holding them leave, and the swarm's chunks stay evenly spread. Ties are broken at random,
     * freshly on every pick, so that two agents with the same view do not pick the same chunk.
     *
     * Started chunks come first, in the order they were started (Cohen's "strict priority"):
     * a chunk can be verified, served and announced with HAVE only once all of its blocks are in,
     * so finishing chunks beats spreading requests over many of them.
     *
     * Endgame (Cohen's "endgame mode"; libtorrent's strict_end_game_mode): once every missing
     * block is requested, a source with room in its pipeline duplicates a block already in flight, up to
     * 1 + endgameDuplicates copies; the first copy to arrive cancels the others. Unlike the classic
     * endgame, which asks every peer for every remaining block, a source only duplicates a block it
     * would deliver sooner than the sources already asked (by their queues and measured rates), and
     * takes the one they would deliver last: late and stalled requests first, and no slow peer
     * churning through copies of a fast peer's queue.
     *
     * A pick scans every chunk, O(chunks) per request: a 10 GiB release has about 10,000 chunks,
     * which is cheap next to a block's transfer. Availability buckets would make it O(1) if needed.
     */

    /** Tells whether a block a source failed to deliver has another source that could serve it. */
    interface Alternatives<P> {
        boolean exist(int chunk, Set<Source<P>> excluded);
    }

    private final List<ChunkInfo> chunks;
    private final int blockSize;
    private final RandomGenerator random;
    private final Map<Digest, List<Integer>> indexesByDigest = new HashMap<>();
    final BitSet have;
    /** Chunks whose blocks have all arrived and that await verification. */
    final BitSet verifying = new BitSet();
    /** Chunks to fetch from a single source because they failed verification with several contributors. */
    final BitSet suspect = new BitSet();
    /** How many connected, unbanned peers have each chunk. */
    final int[] availability;
    /** How many of those are in our group. */
    final int[] sameGroupAvailability;
    /** Started chunks, oldest first. */
    final Map<Integer, ChunkProgress<P>> started = new LinkedHashMap<>();

    PiecePicker(List<ChunkInfo> chunks, BitSet have, int blockSize, RandomGenerator random) {
        this.chunks = List.copyOf(chunks);
        this.have = (BitSet) have.clone();
        if (have.length() > chunks.size()) {
            throw new IllegalArgumentException("have marks chunk " + (have.length() - 1) + " but the release has "
                    + chunks.size() + " chunks");
        }
        this.blockSize = blockSize;
        this.random = random;
        this.availability = new int[chunks.size()];
        this.sameGroupAvailability = new int[chunks.size()];
        for (int c = 0; c < chunks.size(); c++) {
            indexesByDigest.computeIfAbsent(chunks.get(c).digest(), d -> new ArrayList<>(1)).add(c);
        }
    }

    int chunkCount() {
        return chunks.size();
    }

    boolean isComplete() {
        return have.cardinality() == chunks.size();
    }

    boolean isWanted(int chunk) {
        return !have.get(chunk) && !verifying.get(chunk);
    }

    /** Every index whose chunk has the same digest as {@code chunk}'s, {@code chunk} included. */
    List<Integer> twins(int chunk) {
        return indexesByDigest.get(chunks.get(chunk).digest());
    }

    int blockCount(int chunk) {
        return (chunks.get(chunk).size() + blockSize - 1) / blockSize;
    }

    Block block(int chunk, int index) {
        int offset = index * blockSize;
        return new Block(chunk, offset, Math.min(blockSize, chunks.get(chunk).size() - offset));
    }

    /** The index of {@code block} within its chunk, or -1 if it is not one of our blocks. */
    int indexOf(Block block) {
        if (block.chunk() >= chunks.size() || block.offset() % blockSize != 0) {
            return -1;
        }
        int index = block.offset() / blockSize;
        return index < blockCount(block.chunk()) && block(block.chunk(), index).equals(block) ? index : -1;
    }

    /** Whether {@code block}'s bytes are still missing. */
    boolean needs(Block block) {
        int b = indexOf(block);
        if (b < 0 || !isWanted(block.chunk())) {
            return false;
        }
        ChunkProgress<P> progress = started.get(block.chunk());
        return progress == null || !progress.isReceived(b);
    }

    ChunkProgress<P> start(int chunk) {
        return started.computeIfAbsent(chunk, c -> new ChunkProgress<>(c, blockCount(c), suspect.get(c)));
    }

    /** The next block to ask {@code source} for outside endgame, or null. */
    Block pick(Source<P> source, IntPredicate canServe, Alternatives<P> alternatives) {
        for (ChunkProgress<P> progress : started.values()) {
            if (!isWanted(progress.chunk) || !canServe.test(progress.chunk)
                    || (progress.pinned != null && progress.pinned != source)) {
                continue;
            }
            for (int b = 0; b < progress.blockCount; b++) {
                if (!progress.isReceived(b) && progress.requestedFrom(b).isEmpty()
                        && mayAsk(progress, b, source, alternatives)) {
                    return block(progress.chunk, b);
                }
            }
        }
        int rarest = rarestUnstarted(canServe);
        return rarest < 0 ? null : block(start(rarest).chunk, 0);
    }

    /**
     * In endgame, a block in flight elsewhere that {@code source} may duplicate, or null: among blocks
     * with fewer than {@code maxCopies} copies, the one its current sources would deliver last,
     * provided {@code source} would deliver it sooner.
     */
    Block pickDuplicate(Source<P> source, IntPredicate canServe, Alternatives<P> alternatives, int maxCopies, long now) {
        Block best = null;
        double bestEta = 0;
        for (ChunkProgress<P> progress : started.values()) {
            if (!isWanted(progress.chunk) || progress.singleSource || !canServe.test(progress.chunk)) {
                continue;
            }
            for (int b = 0; b < progress.blockCount; b++) {
                List<Source<P>> from = progress.requestedFrom(b);
                if (progress.isReceived(b) || from.isEmpty() || from.size() >= maxCopies || from.contains(source)
                        || !mayAsk(progress, b, source, alternatives)) {
                    continue;
                }
                Block block = block(progress.chunk, b);
                double eta = Double.POSITIVE_INFINITY;
                for (Source<P> holder : from) {
                    eta = Math.min(eta, holder.etaNanos(block, now));
                }
                if (eta > source.etaOfNextNanos(block.length()) && (best == null || eta > bestEta)) {
                    best = block;
                    bestEta = eta;
                }
            }
        }
        return best;
    }

    /** Whether every block still missing is requested from some source (the condition for endgame). */
    boolean allRequested() {
        for (int c = 0; c < chunks.size(); c++) {
            if (!isWanted(c)) {
                continue;
            }
            ChunkProgress<P> progress = started.get(c);
            if (progress == null) {
                return false;
            }
            for (int b = 0; b < progress.blockCount; b++) {
                if (!progress.isReceived(b) && progress.requestedFrom(b).isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A source that failed a block is not asked for it again while another source could serve it. */
    private boolean mayAsk(ChunkProgress<P> progress, int block, Source<P> source, Alternatives<P> alternatives) {
        Set<Source<P>> avoiders = progress.avoiders(block);
        return !avoiders.contains(source) || !alternatives.exist(progress.chunk, avoiders);
    }

    /** Whether another index with the same bytes is already being fetched (the store keeps a chunk once). */
    private boolean twinUnderway(int chunk) {
        List<Integer> twins = twins(chunk);
        if (twins.size() == 1) {
            return false;
        }
        for (int twin : twins) {
            if (twin != chunk && (started.containsKey(twin) || verifying.get(twin))) {
                return true;
            }
        }
        return false;
    }

    private int rarestUnstarted(IntPredicate canServe) {
        int chosen = -1;
        int fewest = Integer.MAX_VALUE;
        int ties = 0;
        for (int c = 0; c < chunks.size(); c++) {
            if (!isWanted(c) || started.containsKey(c) || twinUnderway(c) || !canServe.test(c)) {
                continue;
            }
            if (availability[c] < fewest) {
                fewest = availability[c];
                chosen = c;
                ties = 1;
            } else if (availability[c] == fewest && random.nextInt(++ties) == 0) {
                chosen = c;
            }
        }
        return chosen;
    }
}
