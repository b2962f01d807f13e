package dev.caravan.scheduler;

import static dev.caravan.scheduler.Releases.all;
import static dev.caravan.scheduler.Releases.chunks;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.manifest.ChunkInfo;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PeerEventsTest extends SchedulerTestSupport {
    private final SchedulerConfig config = SchedulerConfig.DEFAULT.withEndgameDuplicates(0);
    private final Block b0 = new Block(0, 0, 256 * KIB);
    private final Block b1 = new Block(0, 256 * KIB, 256 * KIB);

    @Test
    void aDepartedPeersRequestsGoToAnotherPeer() {
        var s = scheduler(chunks(1, 512 * KIB), config);
        join(s, "leaving", all(1));
        join(s, "staying", all(1));

        assertThat(s.peerDisconnected("leaving"))
                .containsExactly(new Action.Request<>("staying", b0), new Action.Request<>("staying", b1));
        assertThat(s.peer("leaving")).isEmpty();
    }

    @Test
    void aChokingPeersRequestsGoToAnotherPeerWithoutCancel() {
        var s = scheduler(chunks(1, 512 * KIB), config);
        join(s, "choking", all(1));
        join(s, "other", all(1));

        assertThat(s.peerChoked("choking"))
                .containsExactly(new Action.Request<>("other", b0), new Action.Request<>("other", b1));
        assertThat(s.peer("choking").orElseThrow().inFlight()).isZero();
    }

    @Test
    void aRejectedBlockIsAskedOfAnotherPeerNotAgainOfTheOneThatRejectedIt() {
        var s = scheduler(chunks(1, 512 * KIB), config.withPipelineDepth(1, 1));
        assertThat(requestsTo(join(s, "a", all(1)), "a")).containsExactly(b0);
        assertThat(requestsTo(join(s, "b", all(1)), "b")).containsExactly(b1);

        List<Action<String>> actions = s.requestRejected("a", b0);

        assertThat(actions).isEmpty(); // b is busy with b1; a must not get b0 back while b can serve it
        assertThat(s.blockReceived("b", b1)).containsExactly(new Action.Request<>("b", b0));
    }

    @Test
    void aRejectedBlockGoesBackToTheOnlyPeerThatHasIt() {
        var s = scheduler(chunks(1, 256 * KIB), config.withPipelineDepth(1, 1));
        join(s, "a", all(1));

        assertThat(s.requestRejected("a", b0)).containsExactly(new Action.Request<>("a", b0));
    }

    @Test
    void twoIndexesWithTheSameBytesAreFetchedOnceAndBothAnnounced() {
        ChunkInfo same = Releases.chunk(7, 256 * KIB);
        var s = new DownloadScheduler<String>(List.of(same, same), new BitSet(), "lan", config, ticker,
                new SplittableRandom(3));
        List<Block> requests = requestsTo(join(s, "a", all(2)), "a");
        assertThat(requests).hasSize(1);
        Block block = requests.getFirst();
        s.blockReceived("a", block);

        assertThat(s.chunkVerified(block.chunk())).containsExactlyInAnyOrder(
                new Action.SendHave<>(0), new Action.SendHave<>(1), new Action.Complete<>());
    }

    @Test
    void peersThatAnnounceChunksLaterGetRequestsThen() {
        var s = scheduler(chunks(2, 256 * KIB), config);
        assertThat(join(s, "a", new BitSet())).isEmpty();

        assertThat(s.peerHave("a", 1)).containsExactly(new Action.Request<>("a", new Block(1, 0, 256 * KIB)));
    }

    @Test
    void aBlockNotAskedOfThatPeerIsNotTaken() {
        var s = scheduler(chunks(1, 512 * KIB), config.withPipelineDepth(1, 1));
        join(s, "asked", all(1));
        join(s, "pushy", all(1));

        assertThat(s.accepts("pushy", b0)).as("b0 was asked of the other peer").isFalse();
        s.blockReceived("pushy", b0);
        assertThat(s.accepts("asked", b0)).isTrue();
        assertThat(s.stats().duplicateBytes()).isEqualTo(256 * KIB);
    }

    @Test
    void aDownloadThatHasEverythingCompletesOnItsFirstEvent() {
        var s = new DownloadScheduler<String>(chunks(2, KIB), all(2), "lan", config, ticker, new SplittableRandom(1));

        assertThat(s.originAvailable(true)).containsExactly(new Action.Complete<>());
        assertThat(s.tick()).isEmpty();
    }
}
