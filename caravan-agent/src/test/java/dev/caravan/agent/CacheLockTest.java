package dev.caravan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One agent per cache folder: a second one is refused, and a killed one leaves no stale lock. */
class CacheLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondAgentInThisProcessIsRefusedNamingTheFolderUntilTheFirstLetsGo() throws IOException {
        Path cache = dir.resolve("cache");
        CacheLock first = CacheLock.acquire(cache);
        assertThatThrownBy(() -> CacheLock.acquire(cache))
                .hasMessage("the cache folder " + cache + " is in use by another agent (it holds " + cache.resolve("agent.lock")
                        + "); give each agent a cache folder of its own");
        first.close();
        CacheLock.acquire(cache).close();
    }

    @Test
    void anAgentInAnotherProcessHoldsTheCacheUntilItIsKilled() throws Exception {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        // Another JVM takes the same kind of lock (fcntl, through FileChannel.tryLock) and waits.
        Path holder = Files.writeString(dir.resolve("Holder.java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                class Holder {
                    public static void main(String[] args) throws Exception {
                        FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        System.out.println(ch.tryLock() != null ? "held" : "busy");
                        System.in.read();
                    }
                }
                """);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process other = new ProcessBuilder(java, holder.toString(), cache.resolve(CacheLock.NAME).toString())
                .redirectErrorStream(true).start();
        try {
            String said = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(said).isEqualTo("held");
            assertThatThrownBy(() -> CacheLock.acquire(cache)).hasMessageContaining("is in use by another agent");

            other.destroyForcibly(); // SIGKILL: the process never lets go by itself
            assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
            CacheLock.acquire(cache).close();
        } finally {
            other.destroyForcibly();
        }
    }
}
