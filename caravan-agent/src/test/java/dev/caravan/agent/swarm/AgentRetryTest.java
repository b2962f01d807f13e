package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.testkit.LeakCheck;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** An install that fails is tried again at the next poll, and succeeds once the cause is gone. */
@ExtendWith({LeakCheck.class, WireFaults.class})
class AgentRetryTest {
    @TempDir
    Path dir;

    @Test
    void anInstallThatFailedIsRetriedAtTheNextPollAndNothingIsHalfInstalled() throws Exception {
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(4 << 20, 20, 5), LocalSwarm.Options.defaults())) {
            Path install = d.swarm().work().resolve("agents").resolve("blocked").resolve("install");
            Files.createDirectories(install);
            Path versions = install.resolve("versions");
            Files.writeString(versions, "a file where the agent wants its versions folder");

            Agent agent = d.swarm().startAgent("blocked");
            await().atMost(Duration.ofMinutes(1)).until(() -> agent.status().lastError() != null);
            assertThat(agent.status().lastError()).isEqualTo("cannot create " + versions + ": something else is already there");
            assertThat(agent.status().installedVersion()).isNull();
            assertThat(Files.exists(install.resolve("current"), LinkOption.NOFOLLOW_LINKS)).isFalse();

            Files.delete(versions);

            await().atMost(Fleet.INSTALL_WAIT).until(() -> agent.status().installedVersion() != null);
            Fleet.assertInstalled(List.of(agent), d.source());
            assertThat(agent.status().lastError()).isNull();
        }
    }
}
