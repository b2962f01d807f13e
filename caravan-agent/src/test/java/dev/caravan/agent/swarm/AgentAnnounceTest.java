package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.testkit.LeakCheck;
import dev.caravan.tracker.TrackerServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** An agent announces once per interval, however many times it fetched and installed a release. */
@ExtendWith({LeakCheck.class, WireFaults.class})
class AgentAnnounceTest {
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration WINDOW = Duration.ofSeconds(6);

    @TempDir
    Path dir;

    @Test
    void anAgentThatFetchedAndInstalledAnnouncesOncePerIntervalAfterwards() throws Exception {
        LocalSwarm.Options options = LocalSwarm.Options.defaults().withAnnounceInterval(INTERVAL);
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(1 << 20, 10, 3), options)) {
            TrackerServer tracker = d.swarm().tracker();
            Agent agent = d.swarm().startAgent("agent-1");
            await().atMost(Fleet.INSTALL_WAIT).until(() -> agent.status().installedVersion() != null);

            // Starting, fetching and installing each asked for an announce at once; none of them may
            // leave a periodic announce of its own behind (fetching and installing did: two or three
            // chains of announces, each one interval plus an announce's round trips apart).
            long before = tracker.announcesReceived();
            long most = WINDOW.dividedBy(INTERVAL) + 1;
            await().during(WINDOW).atMost(WINDOW.plusSeconds(2)).until(() -> tracker.announcesReceived() - before <= most);
            assertThat(tracker.announcesReceived() - before)
                    .as("announces in %s at an interval of %s", WINDOW, INTERVAL)
                    .isBetween(2L, most);
        }
    }
}
