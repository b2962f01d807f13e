package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwarmSmokeTest {
    @TempDir
    Path dir;

    @Test
    void threeAgentsGetTheRelease() throws Exception {
        Path source = dir.resolve("source");
        new SyntheticRelease(16 << 20, 40, 1).writeTo(source);
        try (LocalSwarm swarm = LocalSwarm.start(dir.resolve("work"), LocalSwarm.Options.defaults().withRates(4 << 20, 0, 0))) {
            swarm.publish(source, "1.0.0");
            List<Agent> agents = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                agents.add(swarm.startAgent("agent-" + i));
            }
            for (Agent a : agents) {
                a.firstInstall().get(60, TimeUnit.SECONDS);
                System.out.println(a.status());
                assertThat(SyntheticRelease.digestTree(a.currentDir().toRealPath())).isEqualTo(SyntheticRelease.digestTree(source));
            }
            System.out.println("origin sent " + swarm.origin().bytesSent());
        }
    }
}
