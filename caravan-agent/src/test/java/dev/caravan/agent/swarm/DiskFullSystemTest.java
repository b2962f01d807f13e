package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.testkit.LeakCheck;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent's disk fills up while it fetches and installs a new release: the error names the
 * folder, the installed release stays exactly as it was with nothing half-written beside it, and
 * once there is room again the agent installs the new release at its next poll. The agent's
 * cache and install folders live on a tmpfs of a few MiB, mounted for the test (so it runs as
 * root, as CI does) and grown while the agent runs, as an operator freeing space would.
 */
@Tag("system")
@ExtendWith({LeakCheck.class, WireFaults.class})
class DiskFullSystemTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    /** @param folder the agent's folder that fills up: its chunk cache, or the folder it installs into */
    @ParameterizedTest
    @ValueSource(strings = {"cache", "install"})
    void aFullDiskFailsTheInstallNamingTheFolderKeepsTheOldReleaseAndRecoversWhenSpaceReturns(String folder) throws Exception {
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(6 * MIB, 30, 3), LocalSwarm.Options.defaults())) {
            Path home = d.swarm().work().resolve("agents").resolve("pc1");
            Path full = Files.createDirectories(home.resolve(folder));
            mountTmpfs(full, 64 * MIB);
            try {
                Agent agent = d.swarm().startAgent("pc1");
                await().atMost(Fleet.INSTALL_WAIT).until(() -> "1.0.0".equals(agent.status().installedVersion()));
                var v1 = SyntheticRelease.digestTree(d.source());

                // Leave 2 MiB free; the next release brings 6 MiB of new chunks and a 6 MiB tree.
                resize(full, used(full) + 2 * MIB);
                Path v2 = dir.resolve("v2");
                new SyntheticRelease(6 * MIB, 30, 4).writeTo(v2);
                d.swarm().publish(v2, "2.0.0");

                await().atMost(Fleet.INSTALL_WAIT).until(() -> agent.status().lastError() != null);
                String error = agent.status().lastError();
                assertThat(error).contains("No space left on device").contains(full.toString());
                assertThat(agent.status().installedVersion()).isEqualTo("1.0.0");
                assertThat(SyntheticRelease.digestTree(agent.currentDir().toRealPath())).isEqualTo(v1);
                assertThat(hidden(home.resolve("install/versions"))).as("half-written trees beside the versions").isEmpty();
                assertThat(Files.exists(home.resolve("install/versions/2.0.0"))).isFalse();

                resize(full, 64 * MIB);
                await().atMost(Fleet.INSTALL_WAIT).until(() -> "2.0.0".equals(agent.status().installedVersion()));
                assertThat(SyntheticRelease.digestTree(agent.currentDir().toRealPath()))
                        .isEqualTo(SyntheticRelease.digestTree(v2));
                assertThat(agent.status().lastError()).isNull();
                d.swarm().close(); // before the file system goes: the agent has files open on it
            } finally {
                run("umount", "-l", full.toString());
            }
        }
    }

    private static void mountTmpfs(Path at, long bytes) throws IOException, InterruptedException {
        run("mount", "-t", "tmpfs", "-o", "size=" + bytes / 1024 + "k,mode=0700", "caravan-test", at.toString());
    }

    private static void resize(Path mount, long bytes) throws IOException, InterruptedException {
        run("mount", "-o", "remount,size=" + (bytes + 1023) / 1024 + "k", mount.toString());
    }

    private static long used(Path mount) throws IOException {
        FileStore store = Files.getFileStore(mount);
        return store.getTotalSpace() - store.getUnallocatedSpace();
    }

    private static List<Path> hidden(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed (this system test mounts a tmpfs, so it runs "
                    + "as root, as CI does): " + out.strip());
        }
    }
}
