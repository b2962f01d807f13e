package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;

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
     * A lower bound, which a slow machine only makes easier to meet: the capped agent cannot have
     * received the release sooner than its bucket allows, its burst (a quarter second of the rate,
     * at least 512 KiB) and one read past it (the bucket is charged for what arrived) given. On
     * loopback without the cap the same 16 MiB arrive in well under a second.
     */
    @Test
    void anAgentCappedAtFourMegabytesASecondTakesAtLeastWhatTheCapAllowsForTheRelease() throws Exception {
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(RELEASE_BYTES, 20, 7),
                LocalSwarm.Options.defaults().withRates(0, 0, CAP))) {
            List<Agent> seeder = Fleet.start(d.swarm(), "seeder-", 1); // from the origin, which the cap does not cover
            Fleet.awaitInstalls(seeder);

            long start = System.nanoTime();
            List<Agent> capped = Fleet.start(d.swarm(), "capped-", 1);
            Fleet.awaitInstalls(capped);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            Fleet.assertInstalled(capped, d.source());
            Agent.Status status = capped.getFirst().status();
            assertThat(status.bytesFromOrigin()).as("bytes from the origin").isZero();
            assertThat(status.bytesFromPeers()).as("bytes from peers").isGreaterThanOrEqualTo(RELEASE_BYTES);
            long allowance = Math.max(CAP / 4, 512 << 10) + (1 << 20);
            Duration floor = Duration.ofNanos((RELEASE_BYTES - allowance) * 1_000_000_000L / CAP);
            assertThat(took).as("time to receive %d bytes at %d bytes/s", RELEASE_BYTES, CAP).isGreaterThanOrEqualTo(floor);
        }
    }
}
