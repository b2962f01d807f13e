package dev.caravan.scheduler;

import static dev.caravan.scheduler.Releases.all;
import static dev.caravan.scheduler.Releases.chunks;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineAndTimeoutTest extends SchedulerTestSupport {

    @Test
    void aFastPeerGetsADeeperPipelineThanASlowOne() {
        var s = scheduler(chunks(64, 1024 * KIB), SchedulerConfig.DEFAULT);
        Block toFast = requestsTo(join(s, "fast", all(64)), "fast").getFirst();
        Block toSlow = requestsTo(join(s, "slow", all(64)), "slow").getFirst();

        ticker.advance(Duration.ofMillis(25)); // 256 KiB in 25 ms: 10 MiB/s
        s.blockReceived("fast", toFast);
        ticker.advance(Duration.ofMillis(975)); // 256 KiB in 1 s: 256 KiB/s
        s.blockReceived("slow", toSlow);

        PeerView fast = s.peer("fast").orElseThrow();
        PeerView slow = s.peer("slow").orElseThrow();
        assertThat(fast.bytesPerSecond()).isCloseTo(10 * 1024 * 1024, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(fast.pipelineDepth()).as("10 MiB/s x 1 s / 256 KiB").isEqualTo(40);
        assertThat(fast.inFlight()).isEqualTo(40);
        assertThat(slow.pipelineDepth()).as("at least minPipelineDepth").isEqualTo(2);
        assertThat(slow.inFlight()).isEqualTo(2);
    }

    @Test
    void aSlowPeerGetsFewerRequestsThanAFastOneOverAWholeDownload() {
        var sim = new SwarmSim(chunks(64, 1024 * KIB), SchedulerConfig.DEFAULT, 7);
        sim.join(new SwarmSim.SimPeer("fast", "lan", all(64), 20e6, Duration.ofMillis(5), SwarmSim.Behavior.HONEST), Duration.ZERO);
        sim.join(new SwarmSim.SimPeer("slow", "lan", all(64), 1e6, Duration.ofMillis(5), SwarmSim.Behavior.HONEST), Duration.ZERO);

        sim.runFor(Duration.ofMinutes(5));

        assertThat(sim.complete).isTrue();
        assertThat(sim.requests.get("fast")).isGreaterThan(8 * sim.requests.get("slow"));
        assertThat(sim.scheduler.stats().requestsTimedOut()).isZero();
    }

    @Test
    void aStalledPeersRequestsMoveToAnotherPeerAfterTheTimeout() {
        var s = scheduler(chunks(1, 512 * KIB), SchedulerConfig.DEFAULT.withEndgameDuplicates(0));
        assertThat(requestsTo(join(s, "stalled", all(1)), "stalled")).hasSize(2);
        assertThat(join(s, "healthy", all(1))).isEmpty();

        ticker.advance(Duration.ofMillis(4_900));
        assertThat(s.tick()).as("before the 5 s floor").isEmpty();
        ticker.advance(Duration.ofMillis(200));
        List<Action<String>> actions = s.tick();

        Block b0 = new Block(0, 0, 256 * KIB);
        Block b1 = new Block(0, 256 * KIB, 256 * KIB);
        assertThat(actions).containsExactly(
                new Action.Cancel<>("stalled", b0), new Action.Cancel<>("stalled", b1),
                new Action.Request<>("healthy", b0), new Action.Request<>("healthy", b1));
        assertThat(s.stats().requestsTimedOut()).isEqualTo(2);
        PeerView stalled = s.peer("stalled").orElseThrow();
        assertThat(stalled.snubbed()).isTrue();
        assertThat(stalled.pipelineDepth()).isEqualTo(1);
        assertThat(stalled.inFlight()).as("not asked again for the blocks it failed").isZero();
    }

    @Test
    void aMeasuredPeerTimesOutRelativeToItsOwnRate() {
        var config = SchedulerConfig.DEFAULT.withRequestTimeout(Duration.ofSeconds(1), 4.0).withEndgameDuplicates(0);
        var s = scheduler(chunks(8, 256 * KIB), config);
        Block first = requestsTo(join(s, "slow", all(8)), "slow").getFirst();
        ticker.advance(Duration.ofSeconds(2)); // 128 KiB/s: a block is expected in 2 s, so it may take 8
        s.blockReceived("slow", first);

        ticker.advance(Duration.ofSeconds(7));
        assertThat(s.tick()).as("within 4 x 2 s").isEmpty();
        ticker.advance(Duration.ofMillis(1_100));
        assertThat(s.tick()).hasAtLeastOneElementOfType(Action.Cancel.class);
    }

    @Test
    void aSnubbedPeerGetsOneRequestUntilTheSnubEnds() {
        var s = scheduler(chunks(4, 1024 * KIB), SchedulerConfig.DEFAULT.withEndgameDuplicates(0));
        join(s, "p", all(4));
        ticker.advance(Duration.ofSeconds(6));
        List<Block> retry = requestsTo(s.tick(), "p");
        assertThat(retry).as("snubbed, and no one else has the blocks").hasSize(1);

        ticker.advance(Duration.ofMillis(100));
        assertThat(requestsTo(s.blockReceived("p", retry.getFirst()), "p")).hasSize(1);
        ticker.advance(Duration.ofSeconds(30));

        PeerView p = s.peer("p").orElseThrow();
        assertThat(p.snubbed()).isFalse();
        assertThat(p.pipelineDepth()).isGreaterThan(1);
    }
}
