package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.caravan.agent.Agent;
import dev.caravan.agent.api.StatusJson;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.testkit.NetworkNamespaces;
import dev.caravan.testkit.NetworkNamespaces.Host;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Quick start: three machines", run as written across five hosts (network namespaces,
 * {@link NetworkNamespaces}): build, server, pc1, pc2 and pc3, each with its own HOME. The test reads
 * the shell blocks out of README.md and runs them with bash in the right host: step 1 on build, the
 * two commands of step 2 on server, step 3 on each pc (with {@code PC=pc1} made pc2 and pc3), then
 * step 4 on build. The server's link is capped at {@value #SERVER_MBIT} Mbit/s and each pc's at
 * {@value #PC_MBIT} Mbit/s, so the origin is the slow part and the pcs gain by asking each other.
 *
 * <p>Two stand-ins, both small: {@code rsync HOST:PATH} is a script that copies with {@code cp -a}
 * into that host's HOME (there is no ssh between namespaces), and {@code ./caravan} is a launcher
 * that runs the code under test from this test's class path (the repository's launcher would
 * build its jar with Maven inside the running Maven build).
 *
 * <p>Needs root and iproute2; skipped otherwise. Run with {@code -Psystem}.
 */
@Tag("system")
class ThreeMachinesSystemTest {
    /** Asserts that the tree each pc's {@code current} points to is {@code tree}, byte for byte. */
    private static void assertEveryPcInstalled(Map<String, Path> homes, SortedMap<String, String> tree) throws IOException {
        for (String pc : PCS) {
            assertThat(SyntheticRelease.digestTree(homes.get(pc).resolve("caravan/myapp/current").toRealPath()))
                    .as("the tree %s installed", pc).isEqualTo(tree);
        }
    }

    private static final int SERVER_MBIT = 20;
    private static final int PC_MBIT = 100;
    private static final long RELEASE_BYTES = 24L << 20;
    private static final int FILES = 40;
    private static final Duration INSTALL_WAIT = Duration.ofSeconds(90);
    private static final List<String> PCS = List.of("pc1", "pc2", "pc3");
    private static final Pattern CHUNK_SENT = Pattern.compile(" GET /chunks/[0-9a-f]{2}/[0-9a-f]{64} 20[06] (\\d+)$",
            Pattern.MULTILINE);

    @TempDir
    Path tmp;

    @Test
    void theReadmesThreeMachineQuickStartDeliversAcrossHostsWithThePcsSharingChunks() throws Exception {
        NetworkNamespaces.assumeAvailable();
        QuickStart readme = QuickStart.read(repositoryRoot().resolve("README.md"));
        Path checkout = launcher(Files.createDirectories(tmp.resolve("checkout")));

        try (NetworkNamespaces net = NetworkNamespaces.create(tmp.resolve("logs"))) {
            Map<String, Host> hosts = new LinkedHashMap<>();
            hosts.put("build", net.addHost("build", 0));
            hosts.put("server", net.addHost("server", SERVER_MBIT * 1_000_000L));
            for (String pc : PCS) {
                hosts.put(pc, net.addHost(pc, PC_MBIT * 1_000_000L));
            }
            String server = hosts.get("server").address();
            Map<String, Path> homes = new HashMap<>();
            for (String name : hosts.keySet()) {
                homes.put(name, Files.createDirectories(tmp.resolve("home").resolve(name)));
            }
            Path bin = fakeRsync(Files.createDirectories(tmp.resolve("bin")), Map.of(server, homes.get("server"),
                    "pc1", homes.get("pc1"), "pc2", homes.get("pc2"), "pc3", homes.get("pc3")));
            Shell shell = new Shell(net, checkout, bin, server);

            // Step 1 on build, with a release of a few dozen files in ~/myapp-1.0.0.
            Path build = homes.get("build");
            Path v1 = build.resolve("myapp-1.0.0");
            new SyntheticRelease(RELEASE_BYTES, FILES, 31).writeTo(v1);
            SortedMap<String, String> v1Tree = SyntheticRelease.digestTree(v1);
            shell.runToEnd(hosts.get("build"), build, "step-1", readme.buildMachine());

            // Step 2 on server: origin and tracker, each "in its own terminal".
            Host serverHost = hosts.get("server");
            List<String> serverLines = readme.serverCommands();
            for (int i = 0; i < serverLines.size(); i++) {
                shell.start(serverHost, homes.get("server"), "server-" + i, "exec " + serverLines.get(i));
            }
            awaitLog(net, "server-0", "caravan origin: serving");
            awaitLog(net, "server-1", "caravan tracker: listening on");

            // Step 3 on each pc.
            long started = System.nanoTime();
            Map<String, Process> agents = new LinkedHashMap<>();
            for (String pc : PCS) {
                agents.put(pc, shell.start(hosts.get(pc), homes.get(pc), pc, readme.fleetMachine(pc)));
            }
            for (String pc : PCS) {
                awaitCurrent(net, pc, homes.get(pc), "1.0.0");
            }
            double firstSeconds = (System.nanoTime() - started) / 1e9;
            assertEveryPcInstalled(homes, v1Tree);
            for (String pc : PCS) {
                assertThat(shell.output(hosts.get(pc), homes.get(pc), pc + "-status-1", readme.status()))
                        .as("caravan status on %s", pc).startsWith(pc + ": installed 1.0.0\n")
                        .contains("release:    myapp 1.0.0, ").contains("chunks held (100%)");
            }
            Map<String, Agent.Status> first = statuses(shell, hosts, homes, "1");
            long fromPeers = first.values().stream().mapToLong(Agent.Status::bytesFromPeers).sum();
            long fromOrigin = first.values().stream().mapToLong(Agent.Status::bytesFromOrigin).sum();
            long originSent = originChunkBytes(net);
            System.out.printf("ThreeMachinesSystemTest: 1.0.0 (%.1f MiB) on 3 pcs in %.1f s; from peers %.2f F, "
                            + "from the origin %.2f F (origin access log: %.2f F)%n", RELEASE_BYTES / 1048576.0, firstSeconds,
                    fromPeers / (double) RELEASE_BYTES, fromOrigin / (double) RELEASE_BYTES, originSent / (double) RELEASE_BYTES);
            assertThat(fromPeers).as("bytes the pcs received from each other (statuses %s)", first).isPositive();
            assertThat(originSent).as("chunk bytes the origin sent for 1.0.0, against the release's %d", RELEASE_BYTES)
                    .isLessThanOrEqualTo(RELEASE_BYTES * 3 / 2);
            assertThat(fromOrigin).as("bytes the pcs say came from the origin").isLessThanOrEqualTo(RELEASE_BYTES * 3 / 2);

            // Step 4 on build: a new version with a small change; content copied before metadata.
            Path v2 = build.resolve("myapp-1.1.0");
            copyTree(v1, v2);
            SyntheticRelease.mutate(v2, 0.02, 32);
            SortedMap<String, String> v2Tree = SyntheticRelease.digestTree(v2);
            Set<Path> chunksBefore = files(build.resolve("caravan-repo/chunks"));
            long originBefore = originChunkBytes(net);
            started = System.nanoTime();
            shell.runToEnd(hosts.get("build"), build, "step-4", readme.newVersion());
            long newChunkBytes = 0;
            for (Path chunk : files(build.resolve("caravan-repo/chunks"))) {
                if (!chunksBefore.contains(chunk)) {
                    newChunkBytes += Files.size(chunk);
                }
            }
            for (String pc : PCS) {
                awaitCurrent(net, pc, homes.get(pc), "1.1.0");
            }
            double secondSeconds = (System.nanoTime() - started) / 1e9;
            assertEveryPcInstalled(homes, v2Tree);
            Map<String, Agent.Status> second = statuses(shell, hosts, homes, "2");
            long originSecond = originChunkBytes(net) - originBefore;
            System.out.printf("ThreeMachinesSystemTest: 1.1.0 (%.2f MiB of new chunks) on 3 pcs in %.1f s; received %s; "
                            + "origin access log: %.2f MiB%n", newChunkBytes / 1048576.0, secondSeconds,
                    second.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().bytesFromPeers() + " B from peers + "
                            + e.getValue().bytesFromOrigin() + " B from the origin").collect(Collectors.joining(", ")),
                    originSecond / 1048576.0);
            assertThat(newChunkBytes).as("the new version's new chunks").isPositive().isLessThan(RELEASE_BYTES / 4);
            // The new chunks, not the release (ten times more); blocks asked of two sources at the end
            // (endgame) arrive twice, and with three new chunks the whole fetch is the end: seen up to 1.46 x.
            for (var e : second.entrySet()) {
                assertThat(e.getValue().release()).isEqualTo("myapp 1.1.0");
                assertThat(e.getValue().bytesFromPeers() + e.getValue().bytesFromOrigin())
                        .as("bytes %s received for 1.1.0, against %d bytes of new chunks", e.getKey(), newChunkBytes)
                        .isLessThanOrEqualTo(newChunkBytes * 2);
            }
            // The pcs poll in step and begin 1.1.0 in the same second, each knowing only some of the
            // others at first; they still fetch the new chunks from the origin about once (before the
            // agent waited out the grace on an empty peer list: 1.0 to 1.9 copies). What they report
            // must match the origin's log.
            long tookFromOrigin = second.values().stream().mapToLong(Agent.Status::bytesFromOrigin).sum();
            assertThat(originSecond).as("chunk bytes the origin's log says it sent for 1.1.0, against what the pcs "
                    + "say they took from it").isGreaterThanOrEqualTo(tookFromOrigin);
            assertThat(originSecond).as("chunk bytes the origin sent for 1.1.0, against %d bytes of new chunks", newChunkBytes)
                    .isLessThanOrEqualTo(newChunkBytes * 3 / 2);

            // "Ctrl-C (or SIGTERM) stops the agent", and the shell of step 3 ends with it. (bash runs
            // the block's last command in its own process, so the agent's JVM may be the shell's.)
            Process pc3 = agents.get("pc3");
            Stream.concat(Stream.of(pc3.toHandle()), pc3.descendants())
                    .filter(h -> h.info().command().orElse("").endsWith("/java")).forEach(ProcessHandle::destroy);
            assertThat(pc3.waitFor(30, TimeUnit.SECONDS)).as("pc3's agent stopped within 30 s of SIGTERM").isTrue();
            assertThat(pc3.exitValue()).as("the exit status of step 3's shell on pc3").isEqualTo(143);
            assertThat(Files.readString(net.logDir().resolve("pc3.log"))).contains("pc3: stopped");
        }
    }

    /** The shell blocks of the README's "Quick start: three machines", by what each is for. */
    record QuickStart(List<String> blocks) {
        private static final Pattern SH = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL);

        static QuickStart read(Path readme) throws IOException {
            String text = Files.readString(readme);
            int from = text.indexOf("## Quick start: three machines");
            assertThat(from).as("README.md has a section \"Quick start: three machines\"").isNotNegative();
            int to = text.indexOf("\n## ", from + 1);
            Matcher m = SH.matcher(text.substring(from, to < 0 ? text.length() : to));
            List<String> blocks = new ArrayList<>();
            while (m.find()) {
                blocks.add(m.group(1));
            }
            return new QuickStart(blocks);
        }

        /** Step 1. */
        String buildMachine() {
            return only("step 1 (ca init, keys init, publish 1.0.0)",
                    b -> b.contains("ca init") && b.contains("keys init") && b.contains("--version 1.0.0"));
        }

        /** Step 2: one command per line, each a process that runs until stopped. */
        List<String> serverCommands() {
            String block = only("step 2 (origin and tracker)", b -> b.startsWith("./caravan origin"));
            List<String> lines = block.replace("\\\n", " ").lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
            assertThat(lines).as("step 2's commands").hasSize(2);
            return lines;
        }

        /** Step 3 for {@code pc}: the block written for pc1 with {@code PC=pc1} made {@code PC=pc}. */
        String fleetMachine(String pc) {
            String block = only("step 3 (agent.toml and caravan agent)", b -> b.contains("cat > ~/caravan/agent.toml"));
            assertThat(block).as("step 3 sets PC=pc1 on its first line").startsWith("PC=pc1\n");
            return "PC=" + pc + block.substring("PC=pc1".length());
        }

        /** The status command of step 3. */
        String status() {
            return only("caravan status", b -> b.strip().equals("./caravan status"));
        }

        /** Step 4. */
        String newVersion() {
            return only("step 4 (publish 1.1.0 and copy it)", b -> b.contains("--version 1.1.0"));
        }

        private String only(String what, java.util.function.Predicate<String> test) {
            List<String> found = blocks.stream().filter(test).toList();
            assertThat(found).as("README's three-machine quick start has one shell block for %s", what).hasSize(1);
            return found.get(0);
        }
    }

    /** Runs shell text with bash in a host, as a user with HOME there, in the checkout, SERVER set as the README says. */
    private record Shell(NetworkNamespaces net, Path checkout, Path bin, String server) {
        Process start(Host host, Path home, String log, String script) throws IOException {
            Map<String, String> env = Map.of("HOME", home.toString(), "SERVER", server,
                    "PATH", bin + ":" + System.getenv("PATH"),
                    // the origin's access log (one line per response), for the bytes it sent
                    "CARAVAN_ORIGIN_ACCESS_LOG", "DEBUG");
            return net.start(host, checkout, env, log + ".log", List.of("bash", "-c", "set -euo pipefail\n" + script));
        }

        void runToEnd(Host host, Path home, String log, String script) throws Exception {
            Process p = start(host, home, log, script);
            boolean ended = p.waitFor(120, TimeUnit.SECONDS);
            String output = Files.readString(net.logDir().resolve(log + ".log"));
            assertThat(ended).as("%s on %s ended within 120 s:\n%s", log, host.name(), output).isTrue();
            assertThat(p.exitValue()).as("exit status of %s on %s:\n%s", log, host.name(), output).isZero();
        }

        String output(Host host, Path home, String log, String script) throws Exception {
            runToEnd(host, home, log, script);
            return Files.readString(net.logDir().resolve(log + ".log"));
        }
    }

    private static Map<String, Agent.Status> statuses(Shell shell, Map<String, Host> hosts, Map<String, Path> homes,
            String round) throws Exception {
        Map<String, Agent.Status> statuses = new LinkedHashMap<>();
        for (String pc : PCS) {
            String json = shell.output(hosts.get(pc), homes.get(pc), pc + "-json-" + round, "./caravan status --json");
            statuses.put(pc, StatusJson.read(json.strip().getBytes(StandardCharsets.UTF_8)));
        }
        return statuses;
    }

    private static void awaitLog(NetworkNamespaces net, String log, String line) {
        Path file = net.logDir().resolve(log + ".log");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(file).contains(line));
    }

    /** Waits until {@code current} points at {@code versions/VERSION}, failing with the agent's log if it does not. */
    private static void awaitCurrent(NetworkNamespaces net, String pc, Path home, String version) throws IOException {
        Path current = home.resolve("caravan/myapp/current");
        try {
            await().atMost(INSTALL_WAIT).until(() -> Files.isSymbolicLink(current)
                    && Files.readSymbolicLink(current).toString().equals("versions/" + version));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(pc + " did not install " + version + " within " + INSTALL_WAIT + "; its log:\n"
                    + Files.readString(net.logDir().resolve(pc + ".log")), e);
        }
    }

    /** The chunk bytes the origin's access log says it sent. */
    private static long originChunkBytes(NetworkNamespaces net) throws IOException {
        Matcher m = CHUNK_SENT.matcher(Files.readString(net.logDir().resolve("server-0.log")));
        long sum = 0;
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    /** The folder holding README.md and the {@code caravan} launcher, above the test's working folder. */
    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isRegularFile(p.resolve("caravan"))) {
                return p;
            }
        }
        throw new IllegalStateException("no README.md beside a caravan launcher above " + Path.of("").toAbsolutePath());
    }

    /**
     * A {@code caravan} launcher in {@code dir} that runs the code under test, with the real
     * launcher's collector choices but a small heap, not pretouched (five hosts share this
     * machine), and no class-data-sharing archive (the class path holds folders).
     */
    private static Path launcher(Path dir) throws IOException {
        String script = """
                #!/usr/bin/env bash
                # caravan, as ThreeMachinesSystemTest runs it: the classes under test instead of the jar
                case "${1:-}" in
                  origin|agent|tracker) opts=(-Xmx256m) ;;
                  *) opts=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1) ;;
                esac
                exec '%s' "${opts[@]}" -cp '%s' %s "$@"
                """.formatted(GetFailuresTest.javaBinary(), System.getProperty("java.class.path"), Main.class.getName());
        Path file = Files.writeString(dir.resolve("caravan"), script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    /**
     * An {@code rsync -a SRC... HOST:PATH} that copies into HOST's HOME with {@code cp -a}, with
     * rsync's meaning of a trailing slash on SRC (its contents, not the folder itself).
     */
    private static Path fakeRsync(Path bin, Map<String, Path> homes) throws IOException {
        StringBuilder cases = new StringBuilder();
        homes.forEach((host, home) -> cases.append("  '").append(host).append("') home='").append(home).append("' ;;\n"));
        String script = """
                #!/usr/bin/env bash
                # rsync -a SRC... HOST:PATH for ThreeMachinesSystemTest: HOST is a host's HOME folder here
                set -euo pipefail
                [ "${1:-}" = -a ] || { echo "test rsync: only -a is supported, got: $*" >&2; exit 2; }
                shift
                args=("$@")
                dest="${args[-1]}"
                unset 'args[-1]'
                case "$dest" in *:*) ;; *) echo "test rsync: no HOST: in $dest" >&2; exit 2 ;; esac
                case "${dest%%%%:*}" in
                %s  *) echo "test rsync: unknown host ${dest%%%%:*}" >&2; exit 2 ;;
                esac
                target="$home/${dest#*:}"
                mkdir -p "$target"
                for src in "${args[@]}"; do
                  case "$src" in
                    */) cp -a "$src." "$target/" ;;
                    *) cp -a "$src" "$target/" ;;
                  esac
                done
                """.formatted(cases);
        Path file = Files.writeString(bin.resolve("rsync"), script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static Set<Path> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).collect(Collectors.toSet());
        }
    }
}
