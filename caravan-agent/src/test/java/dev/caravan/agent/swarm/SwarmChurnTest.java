package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.testkit.LeakCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Peers that vanish mid-way cost the others time, not the release. */
@ExtendWith({LeakCheck.class, WireFaults.class})
class SwarmChurnTest {
    private static final Logger log = LoggerFactory.getLogger(SwarmChurnTest.class);
    private static final int RELEASE_BYTES = 32 << 20;

    @TempDir
    Path dir;

    @Test
    void whenHalfThePeersCrashMidWayTheTopUploaderAmongThemTheRestInstallTheTrueBytes() throws Exception {
        // A slow origin spreads the download over several seconds, so that there is a middle to crash in.
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(RELEASE_BYTES, 60, 17),
                LocalSwarm.Options.defaults().withRates(4 << 20, 0, 0))) {
            List<Agent> agents = Fleet.start(d.swarm(), "agent-", 8);

            await().atMost(Fleet.INSTALL_WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> fractionHeld(agents) >= 0.3);
            List<Agent> byUpload = new ArrayList<>(agents);
            byUpload.sort(Comparator.comparingLong((Agent a) -> a.status().bytesUploaded()).reversed());
            List<Agent> crashed = byUpload.subList(0, 4);
            List<Agent> survivors = byUpload.subList(4, 8);
            crashed.forEach(Agent::kill);
            double heldAtCrash = fractionHeld(survivors);
            log.info("crashed {} at {} of the chunks held; the survivors held {}",
                    crashed.stream().map(a -> a.settings().name() + " (" + a.status().bytesUploaded() + " bytes up)").toList(),
                    fractionHeld(agents), heldAtCrash);
            assertThat(heldAtCrash).as("the survivors' share of the chunks when the others crashed").isLessThan(1.0);

            Fleet.awaitInstalls(survivors);

            Fleet.assertInstalled(survivors, d.source());
        }
    }

    /** The chunks the agents hold verified, as a share of all they need. */
    private static double fractionHeld(List<Agent> agents) {
        long held = 0;
        long needed = 0;
        for (Agent a : agents) {
            Agent.Status s = a.status();
            held += s.chunksHeld();
            needed += s.chunks() == 0 ? Integer.MAX_VALUE : s.chunks();
        }
        return (double) held / needed;
    }
}
