package dev.caravan.scheduler;

import static dev.caravan.scheduler.Releases.all;
import static dev.caravan.scheduler.Releases.chunks;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A peer that says it lacks a chunk it claimed: the chunk leaves its set; the caller may ban it. */
class FalseClaimTest extends SchedulerTestSupport {
    @Test
    void aChunkThePeerSaysItLacksIsNeverAskedOfItAgainAndGoesElsewhere() {
        var s = scheduler(chunks(2, 256 * KIB), SchedulerConfig.DEFAULT.withPipelineDepth(1, 1).withEndgameDuplicates(0));
        Block asked = requestsTo(join(s, "claimer", all(2)), "claimer").getFirst();
        Block other = requestsTo(join(s, "honest", all(2)), "honest").getFirst();

        assertThat(requestsTo(s.peerLacks("claimer", asked), "claimer")).as("asked of the claimer again").isEmpty();

        assertThat(requestsTo(s.blockReceived("honest", other), "honest")).as("asked of the honest peer next")
                .containsExactly(asked);
        assertThat(s.peer("claimer")).get().extracting(PeerView::inFlight).isEqualTo(0);
    }

    @Test
    void aPeerBannedByTheCallerLosesItsRequestsAndIsRefusedWhenItComesBack() {
        var s = scheduler(chunks(2, 256 * KIB), SchedulerConfig.DEFAULT.withPipelineDepth(1, 1).withEndgameDuplicates(0));
        Block asked = requestsTo(join(s, "claimer", all(2)), "claimer").getFirst();
        join(s, "honest", all(2));

        List<Action<String>> actions = s.banPeer("claimer", "refused 8 chunks it claimed to hold");

        assertThat(actions).first().isEqualTo(new Action.Ban<>("claimer", "refused 8 chunks it claimed to hold"));
        assertThat(s.isBanned("claimer")).isTrue();
        assertThat(s.peerConnected("claimer", "lan")).containsExactly(new Action.Ban<>("claimer", "banned earlier in this release"));
        assertThat(s.accepts("claimer", asked)).isFalse();
    }
}
