package dev.caravan.scheduler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The blocks of one started chunk: which have arrived and from whom, which are requested from whom,
 * and which sources should not be asked again for a block they failed to deliver.
 */
final class ChunkProgress<P> {
    final int chunk;
    final int blockCount;
    /** Whether every block must come from one source (the chunk failed verification with several contributors). */
    final boolean singleSource;
    /** The one source of a single-source chunk, once chosen. */
    Source<P> pinned;
    private final List<Source<P>> deliveredBy;
    private final List<List<Source<P>>> requestedFrom;
    private final List<Set<Source<P>>> avoid;
    private int received;

    ChunkProgress(int chunk, int blockCount, boolean singleSource) {
        this.chunk = chunk;
        this.blockCount = blockCount;
        this.singleSource = singleSource;
        this.deliveredBy = new ArrayList<>(Collections.nCopies(blockCount, null));
        this.requestedFrom = new ArrayList<>(blockCount);
        this.avoid = new ArrayList<>(blockCount);
        for (int b = 0; b < blockCount; b++) {
            requestedFrom.add(new ArrayList<>(1));
            avoid.add(new HashSet<>(0));
        }
    }

    boolean isReceived(int block) {
        return deliveredBy.get(block) != null;
    }

    boolean isComplete() {
        return received == blockCount;
    }

    List<Source<P>> requestedFrom(int block) {
        return requestedFrom.get(block);
    }

    void requested(int block, Source<P> source) {
        requestedFrom.get(block).add(source);
        if (singleSource && pinned == null) {
            pinned = source;
        }
    }

    void unrequested(int block, Source<P> source) {
        requestedFrom.get(block).remove(source);
    }

    void avoid(int block, Source<P> source) {
        avoid.get(block).add(source);
    }

    Set<Source<P>> avoiders(int block) {
        return avoid.get(block);
    }

    /** Records a block's bytes from {@code source}; returns the other sources it is still requested from. */
    List<Source<P>> received(int block, Source<P> source) {
        deliveredBy.set(block, source);
        received++;
        avoid.get(block).clear();
        List<Source<P>> others = new ArrayList<>(requestedFrom.get(block));
        others.remove(source);
        requestedFrom.get(block).clear();
        return others;
    }

    /** The sources whose bytes make up the blocks received so far. */
    Set<Source<P>> contributors() {
        Set<Source<P>> contributors = new LinkedHashSet<>();
        for (Source<P> s : deliveredBy) {
            if (s != null) {
                contributors.add(s);
            }
        }
        return contributors;
    }

    /** Throws away the blocks {@code source} delivered. */
    void discardFrom(Source<P> source) {
        for (int b = 0; b < blockCount; b++) {
            if (deliveredBy.get(b) == source) {
                deliveredBy.set(b, null);
                received--;
            }
        }
    }
}
