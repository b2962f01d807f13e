package dev.caravan.scheduler;

import static dev.caravan.scheduler.Releases.all;
import static dev.caravan.scheduler.Releases.chunks;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EndgameTest extends SchedulerTestSupport {
    private final Block b0 = new Block(0, 0, 256 * KIB);
    private final Block b1 = new Block(0, 256 * KIB, 256 * KIB);

    @Test
    void noBlockIsDuplicatedWhileSomeBlockIsUnrequested() {
        var s = scheduler(chunks(2, 512 * KIB), SchedulerConfig.DEFAULT.withPipelineDepth(2, 2));
        List<Block> toA = requestsTo(join(s, "a", all(2)), "a");
        List<Block> toB = requestsTo(join(s, "b", all(2)), "b");

        assertThat(toB).doesNotContainAnyElementsOf(toA);
    }

    @Test
    void onceEveryBlockIsRequestedTheLastOnesAreDuplicatedAndTheLateCopiesCancelled() {
        var s = scheduler(chunks(1, 512 * KIB), SchedulerConfig.DEFAULT.withPipelineDepth(2, 2).withEndgameDuplicates(1));
        assertThat(requestsTo(join(s, "a", all(1)), "a")).containsExactly(b0, b1);

        assertThat(requestsTo(join(s, "b", all(1)), "b")).as("endgame").containsExactlyInAnyOrder(b0, b1);
        assertThat(requestsTo(join(s, "c", all(1)), "c")).as("at most 1 + 1 copies").isEmpty();

        assertThat(s.blockReceived("a", b0)).containsExactly(new Action.Cancel<>("b", b0));
        assertThat(s.blockReceived("b", b1)).containsExactly(new Action.Cancel<>("a", b1), new Action.VerifyChunk<>(0));
    }

    @Test
    void aLateDuplicateIsCountedAndIgnored() {
        var s = scheduler(chunks(1, 256 * KIB), SchedulerConfig.DEFAULT);
        join(s, "a", all(1));
        join(s, "b", all(1));
        s.blockReceived("a", b0);

        assertThat(s.accepts("b", b0)).isFalse();
        assertThat(s.blockReceived("b", b0)).isEmpty();
        assertThat(s.stats().duplicateBytes()).isEqualTo(256 * KIB);
    }
}
