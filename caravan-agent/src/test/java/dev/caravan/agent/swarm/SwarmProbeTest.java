package dev.caravan.agent.swarm;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SwarmRun;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("probe")
class SwarmProbeTest {
    @TempDir
    Path dir;

    @Test
    void probe() throws Exception {
        int n = Integer.getInteger("probe.n", 4);
        long size = Long.getLong("probe.size", 32L << 20);
        long u = Long.getLong("probe.u", 4_000_000L);
        long U = Long.getLong("probe.U", 8_000_000L);
        Map<String, long[]> last = new HashMap<>();
        long t0 = System.nanoTime();
        SwarmRun.Result r = new SwarmRun(new SwarmRun.Plan(n, size, 100, U, u, 0, 300), new LocalSwarm.Options(0, 0, 0, dev.caravan.scheduler.SchedulerConfig.DEFAULT,
                new dev.caravan.agent.seed.UploadSlotConfig(Integer.getInteger("probe.slots", 4),
                        java.time.Duration.ofSeconds(Integer.getInteger("probe.rotation", 10)), 1), 2))
                .run(dir, agents -> {
                    StringBuilder b = new StringBuilder(String.format("%5.1f", (System.nanoTime() - t0) / 1e9));
                    for (Agent a : agents) {
                        Agent.Status s = a.status();
                        long[] prev = last.getOrDefault(s.name(), new long[3]);
                        b.append(String.format(" | %2d/%2d p%5.1f o%5.1f up%5.1f c%d", s.chunksHeld(), s.chunks(),
                                (s.bytesFromPeers() - prev[0]) / 1e6, (s.bytesFromOrigin() - prev[1]) / 1e6,
                                (s.bytesUploaded() - prev[2]) / 1e6, s.peers()));
                        last.put(s.name(), new long[] {s.bytesFromPeers(), s.bytesFromOrigin(), s.bytesUploaded()});
                    }
                    System.out.println(b);
                    Agent a1 = agents.get(agents.size() - 1);
                    if (a1.currentSwarm() != null) {
                        StringBuilder v = new StringBuilder("      views of " + a1.status().name() + ":");
                        a1.currentSwarm().peerViews().forEach((id, pv) -> v.append(String.format(" [%s f%d/%d %.1fMB/s %.0fms %s%s]",
                                id.toString().substring(0, 4), pv.inFlight(), pv.pipelineDepth(), pv.bytesPerSecond() / 1e6,
                                pv.latencySeconds() * 1000, pv.choked() ? "C" : "", pv.snubbed() ? "S" : "")));
                        var o = a1.currentSwarm().originView();
                        v.append(String.format(" origin f%d/%d %.1fMB/s", o.inFlight(), o.pipelineDepth(), o.bytesPerSecond() / 1e6));
                        System.out.println(v);
                    }
                });
        System.out.printf("RESULT last=%.2f tmin=%.2f ratio=%.2f origin=%.2fF verified=%s%n", r.lastCompletionSeconds(),
                r.plan().lowerBoundSeconds(), r.ratioToLowerBound(), r.originBytesPerRelease(), r.allVerified());
    }
}
