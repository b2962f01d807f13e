package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.core.Digest;
import dev.caravan.core.manifest.ChunkInfo;
import dev.caravan.core.manifest.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The agent killed with SIGKILL at random moments, again and again, while it downloads and while it
 * installs: whatever the moment, {@code current} is exactly the old or the new release, a chunk
 * that was in the cache when the agent died is never fetched again, and every file in the cache is
 * the chunk its name says.
 *
 * <p>The moments are drawn from the agent's own progress rather than from a clock: the k-th new
 * chunk in the cache, the m-th file written in the install's staging folder, the new version's
 * folder appearing (between the swap and {@code current}), {@code current} switching (old
 * versions being pruned). The seed is printed, so that a failure can be replayed.
 */
class AgentCrashTest {
    private static final int KILLS = 50;
    private static final int RELEASE_BYTES = 12 << 20;
    private static final int FILES = 40;
    private static final Pattern CHUNK_REQUEST = Pattern.compile(" GET /chunks/[0-9a-f]{2}/([0-9a-f]{64}) 20[06] ");
    private static final Duration WAIT = Duration.ofSeconds(120);

    /** Where in its work the agent is killed. */
    private enum Moment {
        /** after a random number of the release's missing chunks reached the cache */
        DOWNLOADING,
        /** after a random number of the release's files were written into the staging folder */
        WRITING_TREE,
        /** as soon as the new version's folder is in place, before or while {@code current} switches */
        SWAPPED_IN,
        /** as soon as {@code current} points to the new version, while old versions are pruned */
        SWITCHED
    }

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();
    private final Logger access = (Logger) LoggerFactory.getLogger("dev.caravan.origin.access");
    private final ListAppender<ILoggingEvent> requests = new ListAppender<>();

    @AfterEach
    void cleanUp() {
        started.forEach(Process::destroyForcibly);
        access.detachAppender(requests);
        access.setLevel(null);
        access.setAdditive(true);
    }

    @Test
    void killedFiftyTimesWhileDownloadingAndInstallingTheAgentNeverLeavesAHalfInstallAndNeverFetchesAStoredChunkAgain()
            throws Exception {
        long seed = new Random().nextLong();
        System.out.println("AgentCrashTest seed: " + seed);
        Random random = new Random(seed);
        requests.start();
        access.addAppender(requests);
        access.setLevel(Level.DEBUG);
        access.setAdditive(false); // the test reads these lines; they need not flood its output

        Path source = tmp.resolve("source");
        new SyntheticRelease(RELEASE_BYTES, FILES, seed).writeTo(source);
        // The origin's upload capped so that a release takes a few seconds to arrive.
        LocalSwarm.Options options = LocalSwarm.Options.defaults().withRates(8_000_000, 0, 0);
        try (LocalSwarm swarm = LocalSwarm.start(tmp.resolve("work"), options)) {
            Map<String, SortedMap<String, String>> trees = new HashMap<>();
            int version = 1;
            Manifest newest = publish(swarm, source, version, trees);
            Path config = writeConfig(swarm);
            Path home = tmp.resolve("pc1");
            Path chunks = home.resolve("cache/chunks");
            Path versions = home.resolve("install/versions");

            Set<String> stored = new HashSet<>(); // every chunk the cache held when the agent died
            Set<String> checked = new HashSet<>(); // chunk files whose bytes were checked already
            Map<Moment, Integer> kills = new EnumMap<>(Moment.class);
            Map<String, Integer> outcomes = new HashMap<>();
            String installed = null;
            for (int kill = 0; kill < KILLS; kill++) {
                if (("" + version).equals(installed)) {
                    SyntheticRelease.mutate(source, 0.5, random.nextLong());
                    newest = publish(swarm, source, ++version, trees);
                }
                Moment moment = Moment.values()[kill % Moment.values().length];
                int requestsBefore = requestCount();
                Process agent = start(config, tmp.resolve("run-" + kill + ".log"));
                awaitMoment(agent, moment, newest, "" + version, chunks, versions, random);
                agent.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no cleanup

                assertNoStoredChunkFetchedAgain(stored, requestsBefore, kill);
                String now = assertCurrentIsAWholeRelease(home, trees, installed, "" + version, kill);
                outcomes.merge(installed == null || !installed.equals(now) ? "new release in place"
                        : missingChunks(newest, chunks) > 0 ? "old release in place, chunks missing"
                        : "old release in place, all chunks stored", 1, Integer::sum);
                installed = now;
                assertEveryChunkFileIsTheChunkItNames(chunks, checked);
                stored.addAll(chunkNames(chunks));
                kills.merge(moment, 1, Integer::sum);
            }
            System.out.println("AgentCrashTest: kills " + kills + "; state found after them " + outcomes
                    + "; releases published " + version);
            assertThat(kills.values().stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(KILLS);
            assertThat(outcomes.getOrDefault("old release in place, chunks missing", 0))
                    .as("kills that landed while chunks were still being fetched").isGreaterThanOrEqualTo(5);

            // Left alone at last, the agent installs the newest release, exactly, and clears the
            // debris of the killed runs: partial chunk files, staging folders, trees set aside.
            int requestsBefore = requestCount();
            Path lastLog = tmp.resolve("last.log");
            Process last = start(config, lastLog);
            String newestVersion = "" + version;
            try {
                // (A folder may vanish while the walk looks at it: the agent is deleting it.)
                await().atMost(WAIT).ignoreExceptionsInstanceOf(java.io.UncheckedIOException.class).until(() -> {
                    requireAlive(last, lastLog);
                    return newestVersion.equals(currentVersion(home.resolve("install")))
                            && debris(chunks).isEmpty() && debris(versions).isEmpty();
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("the agent did not install " + newestVersion + " and clear the debris "
                        + debris(chunks) + debris(versions) + ":\n" + Files.readString(lastLog), e);
            }
            last.destroy();
            assertThat(last.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertNoStoredChunkFetchedAgain(stored, requestsBefore, KILLS);
            assertThat(SyntheticRelease.digestTree(home.resolve("install/current").toRealPath())).isEqualTo(trees.get(newestVersion));
            assertEveryChunkFileIsTheChunkItNames(chunks, checked);
        }
    }

    private Manifest publish(LocalSwarm swarm, Path source, int version, Map<String, SortedMap<String, String>> trees)
            throws IOException {
        Manifest manifest = swarm.publish(source, "" + version).manifest();
        trees.put("" + version, SyntheticRelease.digestTree(source));
        return manifest;
    }

    /** Waits for the moment to kill at; returns early if the agent got past it (it is killed all the same). */
    private void awaitMoment(Process agent, Moment moment, Manifest newest, String version, Path chunks, Path versions,
            Random random) {
        Callable<Boolean> reached = switch (moment) {
            case DOWNLOADING -> {
                int missing = missingChunks(newest, chunks);
                int target = missing <= 1 ? 0 : 1 + random.nextInt(missing - 1);
                yield () -> missing - missingChunks(newest, chunks) >= target;
            }
            case WRITING_TREE -> {
                int target = 1 + random.nextInt(FILES);
                yield () -> stagedFiles(versions, version) >= target;
            }
            case SWAPPED_IN -> () -> Files.isDirectory(versions.resolve(version), LinkOption.NOFOLLOW_LINKS);
            case SWITCHED -> () -> version.equals(currentVersion(versions.getParent()));
        };
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> !agent.isAlive() || reached.call()
                || version.equals(currentVersion(versions.getParent())));
        assertThat(agent.isAlive()).as("the agent was running when it was to be killed").isTrue();
    }

    private int requestCount() {
        synchronized (requests) {
            return requests.list.size();
        }
    }

    /** No chunk request since {@code from} was for a chunk the cache held at an earlier kill. */
    private void assertNoStoredChunkFetchedAgain(Set<String> stored, int from, int kill) {
        List<String> again = new ArrayList<>();
        synchronized (requests) {
            for (ILoggingEvent e : requests.list.subList(from, requests.list.size())) {
                Matcher m = CHUNK_REQUEST.matcher(e.getFormattedMessage());
                if (m.find() && stored.contains(m.group(1))) {
                    again.add(m.group(1));
                }
            }
        }
        assertThat(again).as("chunks fetched again although the cache held them (run %d)", kill).isEmpty();
    }

    /** {@code current} is absent before the first install, else the whole tree of the old or the new release. */
    private static String assertCurrentIsAWholeRelease(Path home, Map<String, SortedMap<String, String>> trees,
            String old, String newest, int kill) throws IOException {
        String now = currentVersion(home.resolve("install"));
        if (now == null) {
            assertThat(old).as("current vanished after kill %d", kill).isNull();
            return null;
        }
        assertThat(now).as("the version current points to after kill %d", kill).isIn(old == null ? newest : old, newest);
        assertThat(SyntheticRelease.digestTree(home.resolve("install/current").toRealPath()))
                .as("the tree current points to after kill %d", kill).isEqualTo(trees.get(now));
        return now;
    }

    private static void assertEveryChunkFileIsTheChunkItNames(Path chunks, Set<String> checked) throws Exception {
        for (String name : chunkNames(chunks)) {
            if (checked.add(name)) {
                Path file = chunks.resolve(name.substring(0, 2)).resolve(name);
                assertThat(Digest.sha256(Files.readAllBytes(file)).hex()).as("the bytes of %s", file).isEqualTo(name);
            }
        }
    }

    private static String currentVersion(Path installDir) throws IOException {
        Path current = installDir.resolve("current");
        if (!Files.isSymbolicLink(current)) {
            return null;
        }
        return Files.readSymbolicLink(current).getFileName().toString();
    }

    private static int missingChunks(Manifest manifest, Path chunks) {
        int missing = 0;
        for (ChunkInfo c : manifest.chunks()) {
            String hex = c.digest().hex();
            if (!Files.exists(chunks.resolve(hex.substring(0, 2)).resolve(hex))) {
                missing++;
            }
        }
        return missing;
    }

    private static long stagedFiles(Path versions, String version) throws IOException {
        if (!Files.isDirectory(versions)) {
            return 0;
        }
        long n = 0;
        try (Stream<Path> list = Files.list(versions)) {
            for (Path staging : list.filter(p -> p.getFileName().toString().startsWith("." + version + ".caravan-staging-")).toList()) {
                try (Stream<Path> walk = Files.walk(staging)) {
                    n += walk.filter(Files::isRegularFile).count();
                } catch (IOException | java.io.UncheckedIOException e) {
                    // the staging folder was renamed into place while we counted
                }
            }
        }
        return n;
    }

    private static List<String> chunkNames(Path chunks) throws Exception {
        return GetFailuresTest.chunkFiles(chunks).stream().map(p -> p.getFileName().toString()).toList();
    }

    /** Names starting with a dot: partial chunk files, staging folders, trees set aside. */
    private static List<Path> debris(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir, 2)) {
            return walk.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }

    private Path writeConfig(LocalSwarm swarm) throws IOException {
        Path certs = swarm.issue("pc1");
        return Files.writeString(tmp.resolve("agent.toml"), AgentToml.of(swarm, certs.toString(), "pc1", "pc1",
                "poll_interval = \"1s\""));
    }

    private Process start(Path config, Path log) throws IOException {
        Process p = new ProcessBuilder(GetFailuresTest.javaBinary(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:+AutoCreateSharedArchive",
                "-XX:SharedArchiveFile=" + tmp.resolve("agent.jsa"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "agent", "--config", config.toString())
                .directory(tmp.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    private static void requireAlive(Process agent, Path log) throws IOException {
        if (!agent.isAlive()) {
            throw new AssertionError("the agent exited with " + agent.exitValue() + ":\n" + Files.readString(log));
        }
    }
}
