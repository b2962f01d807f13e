package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.origin.server.OriginServer;
import dev.caravan.testkit.LeakCheck;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** An agent looking at a channel that has not moved asks the origin for its timestamp, not for the manifest again. */
@ExtendWith({LeakCheck.class, WireFaults.class})
class AgentPollTest {
    private static final int LOOKS = 3;

    @TempDir
    Path dir;

    @Test
    void looksAtAnUnchangedChannelDoNotFetchTheManifestAndANewReleaseIsStillFollowed() throws Exception {
        // 300 files: a manifest of tens of kilobytes, far more than a look at the metadata costs.
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(4 << 20, 300, 5), LocalSwarm.Options.defaults())) {
            OriginServer origin = d.swarm().origin();
            Agent agent = d.swarm().startAgent("agent-1");
            await().atMost(Fleet.INSTALL_WAIT).until(() -> "1.0.0".equals(agent.status().installedVersion()));
            long manifestBytes = d.manifest().toCanonicalJson().length;

            long before = origin.bytesSent();
            for (int i = 0; i < LOOKS; i++) {
                agent.checkNow().get(1, TimeUnit.MINUTES);
            }
            long sent = origin.bytesSent() - before;
            assertThat(agent.status().lastError()).isNull();
            assertThat(sent).as("bytes the origin sent for %d looks at an unchanged channel (the manifest is %d bytes)",
                    LOOKS, manifestBytes).isPositive().isLessThan(manifestBytes);

            d.swarm().publish(d.source(), "1.0.1");
            agent.checkNow().get(Fleet.INSTALL_WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(agent.status().lastError()).isNull();
            assertThat(agent.status().installedVersion()).isEqualTo("1.0.1");
        }
    }
}
