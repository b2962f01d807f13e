package dev.caravan.scheduler;

import static dev.caravan.scheduler.Releases.all;
import static dev.caravan.scheduler.Releases.bits;
import static dev.caravan.scheduler.Releases.chunks;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PiecePickingTest extends SchedulerTestSupport {
    private final SchedulerConfig oneBlockAtATime = SchedulerConfig.DEFAULT.withBlockSizeBytes(256 * KIB).withPipelineDepth(1, 1);

    @Test
    void theRarestChunkIsAskedForFirst() {
        var s = scheduler(chunks(3, 256 * KIB), oneBlockAtATime);
        s.peerConnected("b", "lan");
        s.peerBitfield("b", bits(1, 2));
        s.peerConnected("c", "lan");
        s.peerBitfield("c", bits(2));

        List<Action<String>> actions = join(s, "a", all(3));

        assertThat(requestsTo(actions, "a")).containsExactly(new Block(0, 0, 256 * KIB));
    }

    @Test
    void equallyRareChunksAreChosenAtRandom() {
        Set<Integer> firstPicks = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) {
            var s = scheduler(chunks(4, 256 * KIB), oneBlockAtATime, seed);
            firstPicks.add(requestsTo(join(s, "a", all(4)), "a").getFirst().chunk());
        }
        assertThat(firstPicks).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void aStartedChunkIsFinishedBeforeANewOneIsStarted() {
        var s = scheduler(chunks(3, 1024 * KIB), SchedulerConfig.DEFAULT.withPipelineDepth(2, 2));
        List<Block> toA = requestsTo(join(s, "a", all(3)), "a");
        List<Block> toB = requestsTo(join(s, "b", all(3)), "b");

        int chunk = toA.getFirst().chunk();
        assertThat(toA).extracting(Block::chunk).containsOnly(chunk);
        assertThat(toB).extracting(Block::chunk).containsOnly(chunk);
        assertThat(toA).extracting(Block::offset).containsExactly(0, 256 * KIB);
        assertThat(toB).extracting(Block::offset).containsExactly(512 * KIB, 768 * KIB);
    }

    @Test
    void theLastBlockOfAChunkIsShort() {
        var s = scheduler(chunks(1, 300 * KIB), SchedulerConfig.DEFAULT);

        assertThat(requestsTo(join(s, "a", all(1)), "a"))
                .containsExactly(new Block(0, 0, 256 * KIB), new Block(0, 256 * KIB, 44 * KIB));
    }

    @Test
    void aVerifiedChunkIsAnnouncedAtOnceAndTheLastOneCompletes() {
        var s = scheduler(chunks(2, 256 * KIB), oneBlockAtATime);
        Block first = requestsTo(join(s, "a", all(2)), "a").getFirst();

        List<Action<String>> afterBlock = s.blockReceived("a", first);
        assertThat(afterBlock).contains(new Action.VerifyChunk<>(first.chunk()));
        Block second = requestsTo(afterBlock, "a").getFirst();
        assertThat(s.chunkVerified(first.chunk())).containsExactly(new Action.SendHave<>(first.chunk()));
        s.blockReceived("a", second);

        assertThat(s.chunkVerified(second.chunk()))
                .containsExactly(new Action.SendHave<>(second.chunk()), new Action.Complete<>());
        assertThat(s.isComplete()).isTrue();
    }

    @Test
    void chunksWeAlreadyHaveAreNeverRequested() {
        var s = new DownloadScheduler<String>(chunks(3, 256 * KIB), bits(0, 2), "lan", SchedulerConfig.DEFAULT,
                ticker, new java.util.SplittableRandom(1));

        assertThat(requestsTo(join(s, "a", all(3)), "a")).extracting(Block::chunk).containsOnly(1);
    }

    @Test
    void aFreedBlockGoesToAPeerOfOurGroupBeforeAPeerOfAnotherGroup() {
        var s = scheduler(chunks(1, 256 * KIB), SchedulerConfig.DEFAULT.withPipelineDepth(1, 1).withEndgameDuplicates(0));
        join(s, "stalled", all(1));
        join(s, "far", "wan", all(1));
        join(s, "near", "lan", all(1));

        ticker.advance(java.time.Duration.ofSeconds(6));
        List<Action<String>> actions = s.tick();

        assertThat(requestsTo(actions, "near")).hasSize(1);
        assertThat(requestsTo(actions, "far")).isEmpty();
    }

    @Test
    void otherGroupsServeOnlyWhatOurGroupLacksWhenNotAllowed() {
        var s = scheduler(chunks(2, 256 * KIB),
                SchedulerConfig.DEFAULT.withAllowOtherGroups(false).withPipelineDepth(4, 4));
        s.peerConnected("near", "lan");
        s.peerBitfield("near", bits(0));
        List<Action<String>> actions = join(s, "far", "wan", all(2));

        assertThat(requestsTo(actions, "far")).extracting(Block::chunk).containsOnly(1);
    }
}
