package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.scheduler.SchedulerConfig;
import dev.caravan.testkit.LeakCheck;
import dev.caravan.wire.Cancel;
import dev.caravan.wire.Goodbye;
import dev.caravan.wire.tls.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A peer slower than the request timeout is waited for, not cut off. */
@ExtendWith({LeakCheck.class, WireFaults.class})
class SwarmSlowPeerTest {
    @TempDir
    Path dir;

    /**
     * The agent times a request out, CANCELs it and, with no other source, asks the same peer for
     * the same block again. The peer had sent the first DATA already (it ignores CANCEL, as
     * protocol.md §5 allows), so two DATA answer two REQUESTs for one block: both are legal.
     */
    @Test
    void aPeerAnsweringARequestAfterItTimedOutAndWasAskedAgainIsNotCutOff() throws Exception {
        SchedulerConfig quickTimeouts = new SchedulerConfig(256 << 10, 2, 64, Duration.ofSeconds(1),
                Duration.ofMillis(300), 4.0, Duration.ZERO, 2, Duration.ofSeconds(2), Duration.ofMinutes(10), 4, true,
                SchedulerConfig.DEFAULT.ownerPatience());
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(2 << 20, 5, 31),
                LocalSwarm.Options.defaults().withScheduler(quickTimeouts))) {
            TlsFiles certificate = TlsFiles.in(d.swarm().issue("slow"), "slow");
            try (FakePeer slow = new FakePeer(certificate, d.manifest(),
                    FakePeer.Blocks.honest(d), Duration.ofSeconds(1))) {
                slow.seed(d, certificate);
                List<Agent> agent = Fleet.start(d.swarm(), "agent-", 1);

                Fleet.awaitInstalls(agent);

                Fleet.assertInstalled(agent, d.source());
                assertThat(slow.received()).as("what the slow peer was sent").hasAtLeastOneElementOfType(Cancel.class);
                assertThat(slow.farewells()).as("goodbyes the slow peer got").extracting(FakePeer.Farewell::reason)
                        .doesNotContain(Goodbye.Reason.PROTOCOL_ERROR);
                assertThat(agent.getFirst().status().bytesFromOrigin()).as("bytes from the origin").isZero();
            }
        }
    }
}
