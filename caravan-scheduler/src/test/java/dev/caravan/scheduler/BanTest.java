package dev.caravan.scheduler;

import static dev.caravan.scheduler.Releases.all;
import static dev.caravan.scheduler.Releases.chunks;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BanTest extends SchedulerTestSupport {
    private final Block b0 = new Block(0, 0, 256 * KIB);
    private final Block b1 = new Block(0, 256 * KIB, 256 * KIB);

    @Test
    void aPeerThatAloneSentABadChunkIsBannedAndTheChunkComesFromElsewhere() {
        var s = scheduler(chunks(1, 512 * KIB), SchedulerConfig.DEFAULT.withEndgameDuplicates(0));
        assertThat(requestsTo(join(s, "liar", all(1)), "liar")).containsExactly(b0, b1);
        join(s, "honest", all(1));
        s.blockReceived("liar", b0);
        assertThat(s.blockReceived("liar", b1)).containsExactly(new Action.VerifyChunk<>(0));

        List<Action<String>> actions = s.chunkFailedVerification(0);

        assertThat(actions).containsExactly(
                new Action.Ban<>("liar", "sent chunk 0 that failed verification"),
                new Action.Request<>("honest", b0), new Action.Request<>("honest", b1));
        assertThat(s.isBanned("liar")).isTrue();
        assertThat(s.stats().peersBanned()).isEqualTo(1);
        assertThat(s.stats().chunksFailedVerification()).isEqualTo(1);
    }

    @Test
    void aBannedPeerGetsNothingMoreAndItsBitfieldIsIgnored() {
        var s = scheduler(chunks(2, 256 * KIB), SchedulerConfig.DEFAULT.withPipelineDepth(1, 1));
        Block first = requestsTo(join(s, "liar", all(2)), "liar").getFirst();
        s.blockReceived("liar", first);
        s.chunkFailedVerification(first.chunk());

        assertThat(s.peerBitfield("liar", all(2))).isEmpty();
        assertThat(s.peerUnchoked("liar")).isEmpty();
        assertThat(s.accepts("liar", first)).isFalse();
        assertThat(s.peerConnected("liar", "lan")).containsExactly(new Action.Ban<>("liar", "banned earlier in this release"));
        assertThat(s.peer("liar")).isEmpty();
    }

    @Test
    void withSeveralContributorsNobodyIsBannedUntilASingleSourceCopyFailsToo() {
        var s = scheduler(chunks(1, 512 * KIB), SchedulerConfig.DEFAULT.withPipelineDepth(1, 1).withEndgameDuplicates(0));
        assertThat(requestsTo(join(s, "a", all(1)), "a")).containsExactly(b0);
        assertThat(requestsTo(join(s, "b", all(1)), "b")).containsExactly(b1);
        s.blockReceived("a", b0);
        s.blockReceived("b", b1);

        List<Action<String>> afterFirstFailure = s.chunkFailedVerification(0);

        assertThat(afterFirstFailure).noneMatch(a -> a instanceof Action.Ban<String>);
        assertThat(afterFirstFailure).containsExactly(new Action.Request<>("a", b0));
        assertThat(s.blockReceived("a", b0)).as("b0 pinned the chunk to a; b waits").isEqualTo(
                List.of(new Action.Request<>("a", b1)));
        assertThat(s.accepts("b", b1)).as("only the pinned source's bytes are taken").isFalse();
        s.blockReceived("a", b1);

        assertThat(s.chunkFailedVerification(0)).first()
                .isEqualTo(new Action.Ban<>("a", "sent chunk 0 that failed verification"));
    }

    @Test
    void aBannedPeersBlocksInOtherChunksAreThrownAway() {
        var s = scheduler(chunks(2, 512 * KIB), SchedulerConfig.DEFAULT.withPipelineDepth(4, 4));
        List<Block> toLiar = requestsTo(join(s, "liar", all(2)), "liar");
        assertThat(toLiar).hasSize(4);
        s.blockReceived("liar", toLiar.get(0));
        s.blockReceived("liar", toLiar.get(1));
        s.blockReceived("liar", toLiar.get(2)); // one block of the other chunk
        s.chunkFailedVerification(toLiar.get(0).chunk());

        List<Block> toHonest = requestsTo(join(s, "honest", all(2)), "honest");

        assertThat(toHonest).contains(toLiar.get(2));
    }
}
