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
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An install folder where someone replaced what the agent made under {@code versions/} with a
 * symbolic link pointing outside: the agent never writes through it nor points {@code current}
 * at it.
 */
@ExtendWith({LeakCheck.class, WireFaults.class})
class AgentInstallFolderTest {
    @TempDir
    Path dir;

    @Test
    void aVersionsFolderThatIsALinkOutsideIsRefusedAndNothingIsWrittenThere() throws Exception {
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(1 << 20, 10, 5), LocalSwarm.Options.defaults())) {
            Path install = installDir(d, "linked");
            Path outside = Files.createDirectories(dir.resolve("outside"));
            Path versions = Files.createSymbolicLink(install.resolve("versions"), outside);

            Agent agent = d.swarm().startAgent("linked");
            await().atMost(Duration.ofMinutes(1)).until(() -> agent.status().lastError() != null);

            assertThat(agent.status().lastError()).contains("refusing to install through " + versions)
                    .contains("it is a symbolic link (to " + outside + ")");
            assertThat(agent.status().installedVersion()).isNull();
            assertThat(Files.exists(install.resolve("current"), LinkOption.NOFOLLOW_LINKS)).isFalse();
            try (var list = Files.list(outside)) {
                assertThat(list.toList()).as("nothing written outside").isEmpty();
            }
        }
    }

    @Test
    void aVersionFolderReplacedByALinkOutsideIsRefusedAndCurrentNeverPointsThere() throws Exception {
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(1 << 20, 10, 5), LocalSwarm.Options.defaults())) {
            Path install = installDir(d, "linked");
            Path versions = Files.createDirectories(install.resolve("versions"));
            // A copy of the genuine tree outside, and the agent's own mark saying it is installed.
            Path outside = dir.resolve("outside");
            new SyntheticRelease(1 << 20, 10, 5).writeTo(outside);
            SortedMap<String, String> outsideBefore = SyntheticRelease.digestTree(outside);
            Path version = Files.createSymbolicLink(versions.resolve(d.manifest().version()), outside);
            Files.writeString(versions.resolve(d.manifest().version() + ".manifest"), d.manifest().digest().hex() + "\n");

            Agent agent = d.swarm().startAgent("linked");
            await().atMost(Duration.ofMinutes(1)).until(() -> agent.status().lastError() != null);

            assertThat(agent.status().lastError()).contains("refusing to install through " + version)
                    .contains("it is a symbolic link (to " + outside + ")");
            assertThat(agent.status().installedVersion()).isNull();
            assertThat(Files.exists(install.resolve("current"), LinkOption.NOFOLLOW_LINKS)).isFalse();
            assertThat(SyntheticRelease.digestTree(outside)).isEqualTo(outsideBefore);
        }
    }

    @Test
    void aLinkPlantedInAnInstalledVersionIsNotTrustedTheVersionIsInstalledAgainWithoutFollowingIt() throws Exception {
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(1 << 20, 10, 5), LocalSwarm.Options.defaults())) {
            Agent first = d.swarm().startAgent("planted");
            await().atMost(Fleet.INSTALL_WAIT).until(() -> first.status().installedVersion() != null);
            first.close();
            Path install = installDir(d, "planted");
            Path tree = install.resolve("versions").resolve(d.manifest().version());
            Path outside = Files.createDirectories(dir.resolve("outside"));
            Files.writeString(outside.resolve("keep"), "outside the install folder\n");
            String victim = d.manifest().files().get(0).path();
            Files.delete(tree.resolve(victim));
            Files.createSymbolicLink(tree.resolve(victim), outside.resolve("keep"));

            Agent again = d.swarm().startAgent("planted");
            await().atMost(Fleet.INSTALL_WAIT).until(() -> again.status().installedVersion() != null);

            assertThat(Files.isSymbolicLink(tree.resolve(victim))).as("the planted link is gone").isFalse();
            Fleet.assertInstalled(List.of(again), d.source());
            assertThat(Files.readString(outside.resolve("keep"))).isEqualTo("outside the install folder\n");
        }
    }

    private static Path installDir(Deployment d, String agent) throws Exception {
        return Files.createDirectories(d.swarm().work().resolve("agents").resolve(agent).resolve("install"));
    }
}
