package dev.caravan.scheduler;

import static dev.caravan.scheduler.Releases.all;
import static dev.caravan.scheduler.Releases.chunks;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One download among a seed and leechers of different speeds, on simulated links. */
class SwarmSimulationTest {

    @Test
    void theFasterASourceTheMoreOfTheReleaseComesFromIt() {
        int chunkCount = 48;
        var sim = new SwarmSim(chunks(chunkCount, 1024 * 1024), SchedulerConfig.DEFAULT, 2026);
        sim.join(new SwarmSim.SimPeer("seed", "lan", all(chunkCount), 20e6, Duration.ofMillis(2), SwarmSim.Behavior.HONEST),
                Duration.ZERO);
        SplittableRandom random = new SplittableRandom(11);
        double[] speeds = {1e6, 4e6, 10e6};
        for (int i = 0; i < speeds.length; i++) {
            // each leecher starts with a random half and gets the rest over the next 2 s, announcing it with HAVE
            BitSet has = new BitSet();
            var leecher = new SwarmSim.SimPeer("leecher-" + (long) (speeds[i] / 1e6) + "MBps", "lan", has, speeds[i],
                    Duration.ofMillis(2), SwarmSim.Behavior.HONEST);
            BitSet first = new BitSet();
            for (int c = 0; c < chunkCount; c++) {
                has.set(c);
                if (random.nextBoolean()) {
                    first.set(c);
                }
            }
            sim.add(leecher);
            String id = leecher.id();
            sim.at(Duration.ZERO, () -> sim.connect(id));
            sim.at(Duration.ZERO, () -> sim.bitfield(id, first));
            sim.at(Duration.ZERO, () -> sim.unchoke(id));
            for (int c = first.nextClearBit(0); c < chunkCount; c = first.nextClearBit(c + 1)) {
                final int chunk = c;
                sim.at(Duration.ofMillis(random.nextInt(2_000)), () -> sim.have(id, chunk));
            }
        }

        sim.runFor(Duration.ofMinutes(5));

        assertThat(sim.complete).isTrue();
        int seed = sim.requests.get("seed");
        int fast = sim.requests.get("leecher-10MBps");
        int medium = sim.requests.get("leecher-4MBps");
        int slow = sim.requests.get("leecher-1MBps");
        assertThat(seed).isGreaterThan(fast);
        assertThat(fast).isGreaterThan(medium);
        assertThat(medium).isGreaterThan(slow);
        assertThat(sim.scheduler.stats().bytesFromPeers()).isGreaterThanOrEqualTo(48L << 20);
        assertThat(sim.scheduler.stats().bytesFromOrigin()).isZero();
    }
}
