package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.testkit.LeakCheck;
import dev.caravan.wire.Goodbye;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.tls.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A peer that serves corrupted blocks is banned by every agent, and no bad byte is installed. */
@ExtendWith({LeakCheck.class, WireFaults.class})
class SwarmLiarTest {
    private static final int RELEASE_BYTES = 16 << 20;

    @TempDir
    Path dir;

    @Test
    void aPeerServingCorruptedBlocksIsBannedByEveryAgentAndAllInstallTheTrueBytes() throws Exception {
        // The origin is slow and the liar fast, unthrottled and known to the tracker before anyone:
        // every agent's first blocks come from the liar, so only the ban lets them finish.
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(RELEASE_BYTES, 40, 23),
                LocalSwarm.Options.defaults().withRates(2 << 20, 0, 0))) {
            TlsFiles liarCertificate = TlsFiles.in(d.swarm().issue("liar"), "liar");
            try (FakePeer liar = new FakePeer(liarCertificate, d.manifest(),
                    FakePeer.Blocks.corrupted(d), Duration.ZERO)) {
                liar.seed(d, liarCertificate);
                List<Agent> agents = Fleet.start(d.swarm(), "honest-", 4);

                Fleet.awaitInstalls(agents);

                Fleet.assertInstalled(agents, d.source());
                Set<PeerId> honest = agents.stream().map(a -> a.settings().peer().peerId()).collect(Collectors.toSet());
                assertThat(liar.peersSaying(Goodbye.Reason.BANNED)).as("agents that told the liar it is banned")
                        .isEqualTo(honest);
                // and nothing else cut it off: it spoke the protocol well enough that only its bytes gave it away
                assertThat(liar.farewells()).as("goodbyes the liar got")
                        .allSatisfy(f -> assertThat(f.reason()).isEqualTo(Goodbye.Reason.BANNED));
            }
        }
    }
}
