package dev.caravan.scheduler;

import dev.caravan.core.manifest.ChunkInfo;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/** A scheduler on a fake clock, for the policy tests. */
class SchedulerTestSupport {
    static final int KIB = 1024;
    final FakeTicker ticker = new FakeTicker();

    DownloadScheduler<String> scheduler(List<ChunkInfo> chunks, SchedulerConfig config) {
        return scheduler(chunks, config, 42);
    }

    DownloadScheduler<String> scheduler(List<ChunkInfo> chunks, SchedulerConfig config, long seed) {
        return new DownloadScheduler<>(chunks, new BitSet(), "lan", config, ticker, new SplittableRandom(seed));
    }

    /** Connects {@code peer} in our group with {@code has}, unchoked; returns the actions of the unchoke. */
    static List<Action<String>> join(DownloadScheduler<String> s, String peer, BitSet has) {
        return join(s, peer, "lan", has);
    }

    static List<Action<String>> join(DownloadScheduler<String> s, String peer, String group, BitSet has) {
        s.peerConnected(peer, group);
        s.peerBitfield(peer, has);
        return s.peerUnchoked(peer);
    }

    static List<Block> requestsTo(List<Action<String>> actions, String peer) {
        return actions.stream()
                .filter(a -> a instanceof Action.Request<String> r && r.peer().equals(peer))
                .map(a -> ((Action.Request<String>) a).block())
                .toList();
    }

    static List<Block> originFetches(List<Action<String>> actions) {
        return actions.stream()
                .filter(a -> a instanceof Action.FetchFromOrigin<String>)
                .map(a -> ((Action.FetchFromOrigin<String>) a).block())
                .toList();
    }
}
