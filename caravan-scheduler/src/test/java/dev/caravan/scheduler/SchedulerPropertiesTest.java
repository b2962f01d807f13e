package dev.caravan.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.manifest.ChunkInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Random swarms: random bitfields, arrival orders, link speeds, chokes, departures, stalls and
 * lying peers. SwarmSim checks after every call that no block we have is requested, that no peer
 * is asked for a chunk it has not announced or while it chokes us or after its ban, and that no
 * pipeline overflows; each run must end complete when every chunk is available from an honest
 * peer that stays, or from the origin.
 */
class SchedulerPropertiesTest {
    private static final int BLOCK = 16 * 1024;
    private static final SchedulerConfig CONFIG = SchedulerConfig.DEFAULT.withBlockSizeBytes(BLOCK)
            .withPipelineDepth(1, 8);

    @Property(tries = 300)
    void everySwarmThatHoldsTheReleaseDeliversItAndTheSchedulerKeepsItsRules(
            @ForAll @IntRange(min = 1, max = 12) int chunkCount,
            @ForAll @IntRange(min = 0, max = 6) int peerCount,
            @ForAll boolean originAvailable,
            @ForAll long seed) {
        SwarmSim sim = runSwarm(chunkCount, peerCount, originAvailable, seed);

        assertThat(sim.complete).as("complete (seed %d)", seed).isTrue();
        assertThat(sim.verified.cardinality()).isEqualTo(chunkCount);
        assertThat(sim.scheduler.isComplete()).isTrue();
    }

    static SwarmSim runSwarm(int chunkCount, int peerCount, boolean originAvailable, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<ChunkInfo> chunks = new ArrayList<>();
        for (int i = 0; i < chunkCount; i++) {
            chunks.add(Releases.chunk(i, 1 + random.nextInt(3 * BLOCK)));
        }
        SwarmSim sim = new SwarmSim(chunks, CONFIG, seed);
        sim.cancelIgnoredProbability = 0.3;
        sim.originBytesPerSecond = 200_000;

        List<SwarmSim.SimPeer> reliable = new ArrayList<>();
        List<SwarmSim.SimPeer> all = new ArrayList<>();
        List<SwarmSim.SimPeer> leavers = new ArrayList<>();
        for (int p = 0; p < peerCount; p++) {
            SwarmSim.Behavior behavior = switch (random.nextInt(10)) {
                case 0, 1 -> SwarmSim.Behavior.STALLS;
                case 2, 3 -> SwarmSim.Behavior.LIES;
                default -> SwarmSim.Behavior.HONEST;
            };
            boolean leaves = behavior == SwarmSim.Behavior.HONEST && random.nextInt(4) == 0;
            BitSet has = new BitSet();
            for (int c = 0; c < chunkCount; c++) {
                if (random.nextBoolean()) {
                    has.set(c);
                }
            }
            var peer = new SwarmSim.SimPeer("p" + p, random.nextInt(3) == 0 ? "wan" : "lan", has,
                    20_000 + random.nextInt(2_000_000), Duration.ofMillis(1 + random.nextInt(100)), behavior);
            if (behavior == SwarmSim.Behavior.HONEST && !leaves) {
                reliable.add(peer);
            }
            all.add(peer);
            if (leaves) {
                leavers.add(peer);
            }
        }
        if (!originAvailable) {
            if (reliable.isEmpty()) {
                var peer = new SwarmSim.SimPeer("rescuer", "lan", new BitSet(), 100_000, Duration.ofMillis(10),
                        SwarmSim.Behavior.HONEST);
                reliable.add(peer);
                all.add(peer);
            }
            for (int c = 0; c < chunkCount; c++) {
                final int chunk = c;
                if (reliable.stream().noneMatch(p -> p.has().get(chunk))) {
                    reliable.get(random.nextInt(reliable.size())).has().set(chunk);
                }
            }
        } else {
            sim.originOn();
        }
        for (SwarmSim.SimPeer peer : all) {
            script(sim, peer, leavers.contains(peer), random);
        }

        sim.runFor(Duration.ofHours(1));
        return sim;
    }

    /** Connect, bitfield (whole, or half then HAVEs), unchoke, maybe a choke spell, maybe a departure: in random order and times. */
    private static void script(SwarmSim sim, SwarmSim.SimPeer peer, boolean leaves, SplittableRandom random) {
        sim.add(peer);
        String id = peer.id();
        Duration connect = Duration.ofMillis(random.nextInt(3_000));
        sim.at(connect, () -> sim.connect(id));
        Duration bitfieldAt = connect.plusMillis(random.nextInt(500));
        if (random.nextBoolean()) {
            sim.at(bitfieldAt, () -> sim.bitfield(id, peer.has()));
        } else {
            BitSet first = new BitSet();
            List<Integer> later = new ArrayList<>();
            peer.has().stream().forEach(c -> {
                if (random.nextBoolean()) {
                    first.set(c);
                } else {
                    later.add(c);
                }
            });
            sim.at(bitfieldAt, () -> sim.bitfield(id, first));
            for (int c : later) {
                sim.at(bitfieldAt.plusMillis(random.nextInt(5_000)), () -> sim.have(id, c));
            }
        }
        Duration unchoke = connect.plusMillis(random.nextInt(500));
        sim.at(unchoke, () -> sim.unchoke(id));
        if (random.nextInt(3) == 0) {
            Duration choke = unchoke.plusMillis(random.nextInt(3_000));
            sim.at(choke, () -> sim.choke(id));
            sim.at(choke.plusMillis(random.nextInt(3_000)), () -> sim.unchoke(id));
        }
        if (leaves) {
            sim.at(connect.plusMillis(random.nextInt(10_000)), () -> sim.disconnect(id));
        }
    }
}
