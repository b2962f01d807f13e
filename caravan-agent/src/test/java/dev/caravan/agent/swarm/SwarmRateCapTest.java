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
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code limits.upload_rate} holds what an agent sends its peers, and {@code limits.download_rate}
 * what it takes from them, to the rate set. One agent installs from the origin (which the caps do
 * not cover) and seeds; a second one, started after, gets the release from it alone.
 */
@ExtendWith(LeakCheck.class)
class SwarmRateCapTest {
    private static final long RELEASE_BYTES = 16 << 20;
    private static final long CAP = 4_000_000;

    @TempDir
    Path dir;

    @Test
    void anAgentCappedAtFourMegabytesASecondReceivesFromPeersNoFasterThanThat() throws Exception {
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(RELEASE_BYTES, 20, 7),
                LocalSwarm.Options.defaults().withRates(0, 0, CAP))) {
            Agent seeder = seeder(d);
            Agent capped = Fleet.start(d.swarm(), "capped-", 1).getFirst();

            assertNoFasterThanTheCap(() -> capped.status().bytesFromPeers(), "received");
            assertInstalledFromTheSeeder(d, capped);
            assertThat(seeder.status().bytesUploaded()).as("bytes the uncapped seeder sent").isGreaterThanOrEqualTo(RELEASE_BYTES);
        }
    }

    @Test
    void aSeederCappedAtFourMegabytesASecondSendsToPeersNoFasterThanThat() throws Exception {
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(RELEASE_BYTES, 20, 11),
                LocalSwarm.Options.defaults().withRates(0, CAP, 0))) {
            Agent seeder = seeder(d);
            Agent leecher = Fleet.start(d.swarm(), "leecher-", 1).getFirst();

            assertNoFasterThanTheCap(() -> seeder.status().bytesUploaded(), "sent");
            assertInstalledFromTheSeeder(d, leecher);
        }
    }

    /** An agent that installs the release from the origin alone, before any other agent starts. */
    private static Agent seeder(Deployment d) throws Exception {
        List<Agent> seeder = Fleet.start(d.swarm(), "seeder-", 1);
        Fleet.awaitInstalls(seeder);
        return seeder.getFirst();
    }

    private static void assertInstalledFromTheSeeder(Deployment d, Agent agent) throws Exception {
        Fleet.awaitInstalls(List.of(agent));
        Fleet.assertInstalled(List.of(agent), d.source());
        assertThat(agent.status().bytesFromOrigin()).as("bytes from the origin").isZero();
    }

    /**
     * A lower bound, which a slow machine only makes easier to meet: from the first block on, the
     * rest of the release cannot move sooner than the capped bucket allows, its burst (a quarter
     * second of the rate, at least 512 KiB) and a little more (blocks queued or read but not yet
     * counted) given. On loopback without a cap the same 16 MiB move in well under a second.
     */
    private static void assertNoFasterThanTheCap(LongSupplier bytes, String moved) {
        await().atMost(Fleet.INSTALL_WAIT).pollInterval(Duration.ofMillis(5)).until(() -> bytes.getAsLong() > 0);
        long start = System.nanoTime();
        long before = bytes.getAsLong();
        await().atMost(Fleet.INSTALL_WAIT).pollInterval(Duration.ofMillis(5)).until(() -> bytes.getAsLong() >= RELEASE_BYTES);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        long allowance = Math.max(CAP / 4, 512 << 10) + (2 << 20);
        Duration floor = Duration.ofNanos(Math.max(0, RELEASE_BYTES - before - allowance) * 1_000_000_000L / CAP);
        assertThat(floor).as("what the bound asks").isGreaterThan(Duration.ofSeconds(2));
        assertThat(took).as("time to have %s %d bytes at %d bytes/s, from the first block", moved, RELEASE_BYTES - before, CAP)
                .isGreaterThanOrEqualTo(floor);
    }
}
