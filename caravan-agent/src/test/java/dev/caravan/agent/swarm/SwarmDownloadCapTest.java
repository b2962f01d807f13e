package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.testkit.LeakCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code limits.download_rate} holds an agent's intake from its peers to the rate set. */
@ExtendWith(LeakCheck.class)
class SwarmDownloadCapTest {
    private static final long RELEASE_BYTES = 16 << 20;
    private static final long CAP = 4_000_000;

    @TempDir
    Path dir;

    /**
     * A lower bound, which a slow machine only makes easier to meet: from its first block on, the
     * capped agent cannot receive the rest of the release sooner than its bucket allows, its burst
     * (a quarter second of the rate, at least 512 KiB) and a little more (the bucket is charged
     * for what arrived; blocks read but not yet counted) given. On loopback without the cap the
     * same 16 MiB arrive in well under a second.
     */
    @Test
    void anAgentCappedAtFourMegabytesASecondReceivesFromPeersNoFasterThanThat() throws Exception {
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(RELEASE_BYTES, 20, 7),
                LocalSwarm.Options.defaults().withRates(0, 0, CAP))) {
            List<Agent> seeder = Fleet.start(d.swarm(), "seeder-", 1); // from the origin, which the cap does not cover
            Fleet.awaitInstalls(seeder);

            List<Agent> capped = Fleet.start(d.swarm(), "capped-", 1);
            Agent agent = capped.getFirst();
            await().atMost(Fleet.INSTALL_WAIT).pollInterval(Duration.ofMillis(5)).until(() -> agent.status().bytesFromPeers() > 0);
            long start = System.nanoTime();
            long before = agent.status().bytesFromPeers();
            await().atMost(Fleet.INSTALL_WAIT).pollInterval(Duration.ofMillis(5))
                    .until(() -> agent.status().bytesFromPeers() >= RELEASE_BYTES);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            Fleet.awaitInstalls(capped);

            Fleet.assertInstalled(capped, d.source());
            assertThat(agent.status().bytesFromOrigin()).as("bytes from the origin").isZero();
            long allowance = Math.max(CAP / 4, 512 << 10) + (2 << 20);
            Duration floor = Duration.ofNanos(Math.max(0, RELEASE_BYTES - before - allowance) * 1_000_000_000L / CAP);
            assertThat(floor).as("what the bound asks").isGreaterThan(Duration.ofSeconds(2));
            assertThat(took).as("time to receive %d bytes at %d bytes/s, from the first block", RELEASE_BYTES - before, CAP)
                    .isGreaterThanOrEqualTo(floor);
        }
    }
}
