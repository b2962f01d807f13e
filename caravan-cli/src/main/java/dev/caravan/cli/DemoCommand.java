package dev.caravan.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SwarmRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code caravan demo}: a whole deployment in one process on loopback, with real TLS and no setup.
 * It makes a CA, signing keys and a generated release, starts an origin with its upload capped, a
 * tracker and N agents (each with its upload capped), shows each agent's progress, and ends with
 * how long the last agent took against the lower bound T_min, what the origin sent, and what plain
 * HTTP from the origin would have taken.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a CA, an origin, a tracker and N agents on loopback; fetch a generated release through the swarm; print how it went.",
                "Exit status 0 only if every agent ended with exactly the published bytes."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--peers", defaultValue = "10", description = "Number of agents, N (default ${DEFAULT-VALUE}).")
    int peers;

    @Option(names = "--size", defaultValue = "256MiB", converter = ByteSize.Converter.class,
            description = "Size of the generated release, F (default ${DEFAULT-VALUE}).")
    long size;

    @Option(names = "--files", defaultValue = "1000", description = "Files in the release (default ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--origin-rate", defaultValue = "20MB", converter = ByteSize.Converter.class,
            description = "The origin's upload cap in bytes/s, U (default ${DEFAULT-VALUE}).")
    long originRate;

    @Option(names = "--peer-rate", defaultValue = "10MB", converter = ByteSize.Converter.class,
            description = "Each agent's upload cap in bytes/s, u (default ${DEFAULT-VALUE}).")
    long peerRate;

    @Option(names = "--liars", defaultValue = "0",
            description = "How many of the N agents serve every block with one bit flipped (default ${DEFAULT-VALUE}); timing and verification count the honest ones.")
    int liars;

    @Option(names = "--timeout", defaultValue = "600", description = "Give up after this many seconds (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--json", description = "Print one JSON object with the figures instead of the table.")
    boolean json;

    @Option(names = "--dir", description = "Work folder to use and keep (default: a temporary folder, removed afterwards).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SwarmRun.Plan plan = new SwarmRun.Plan(peers, size, files, originRate, peerRate, 0, timeoutSeconds, liars);
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("caravan-demo-");
        try {
            err.printf(Locale.ROOT, "caravan demo in %s: %d agents, a %s release, origin capped at %s/s, agents at %s/s up%n",
                    work, peers, ProgressPrinter.human(size), rate(originRate), rate(peerRate));
            err.flush();
            DemoProgress progress = new DemoProgress(err, System.console() != null && !json);
            SwarmRun.Result result = new SwarmRun(plan, LocalSwarm.Options.defaults()).run(work, progress::show);
            if (json) {
                out.println(toJson(result));
            } else {
                table(out, result);
            }
            out.flush();
            return result.allVerified() ? 0 : 1;
        } finally {
            if (dir == null) {
                deleteTree(work);
            }
        }
    }

    static String toJson(SwarmRun.Result r) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode o = mapper.createObjectNode();
        o.put("release_bytes", r.releaseBytes());
        o.put("peers", r.plan().peers());
        o.put("liars", r.plan().liars());
        o.put("origin_rate_bytes_per_second", r.plan().originRateBytesPerSecond());
        o.put("peer_rate_bytes_per_second", r.plan().peerUploadRateBytesPerSecond());
        o.put("last_completion_seconds", round(r.lastCompletionSeconds()));
        o.put("lower_bound_seconds", round(r.plan().lowerBoundSeconds()));
        o.put("ratio_to_lower_bound", round(r.ratioToLowerBound()));
        o.put("origin_bytes_sent", r.originBytesSent());
        o.put("origin_bytes_per_release", round(r.originBytesPerRelease()));
        o.put("honest_origin_bytes", r.honestOriginBytes());
        o.put("peer_bytes_received", r.peerBytesReceived());
        o.put("http_only_seconds", round(r.plan().httpOnlySeconds()));
        var each = o.putArray("completion_seconds");
        r.completionSeconds().forEach(s -> each.add(round(s)));
        o.put("peers_cut_off", r.peersCutOff());
        o.put("agents_ready_seconds", round(r.agentsReadySeconds()));
        o.put("all_verified", r.allVerified());
        return mapper.writeValueAsString(o);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void table(PrintWriter out, SwarmRun.Result r) {
        SwarmRun.Plan p = r.plan();
        out.println();
        row(out, "release (F)", ProgressPrinter.human(r.releaseBytes()) + " in " + p.files() + " files");
        row(out, "agents (N)", p.peers() + ", each uploading at most " + rate(p.peerUploadRateBytesPerSecond()) + "/s (u)"
                + (p.liars() > 0 ? ", " + p.liars() + " of them liars (cut off " + r.peersCutOff() + " times)" : ""));
        row(out, "origin upload (U)", rate(p.originRateBytesPerSecond()) + "/s");
        row(out, p.liars() > 0 ? "last honest agent" : "last agent done", String.format(Locale.ROOT, "%.1f s after the release was published", r.lastCompletionSeconds()));
        row(out, "agents started", String.format(Locale.ROOT, "%.1f s before the release was published (not counted)",
                r.agentsReadySeconds()));
        row(out, "lower bound T_min", String.format(Locale.ROOT, "%.1f s = max(F/U, F/d, N·F/(U + N·u))", p.lowerBoundSeconds()));
        row(out, "ratio to T_min", String.format(Locale.ROOT, "%.2f", r.ratioToLowerBound()));
        row(out, "origin sent", String.format(Locale.ROOT, "%s = %.2f × F", rate(r.originBytesSent()), r.originBytesPerRelease()));
        if (p.liars() > 0) {
            row(out, "  to honest agents", String.format(Locale.ROOT, "%s = %.2f × F (the rest went to the liars, cut off by their peers)",
                    rate(r.honestOriginBytes()), (double) r.honestOriginBytes() / r.releaseBytes()));
        }
        row(out, "from peers", String.format(Locale.ROOT, "%s = %.2f × F", rate(r.peerBytesReceived()),
                (double) r.peerBytesReceived() / r.releaseBytes()));
        row(out, "plain HTTP would take", String.format(Locale.ROOT, "%.1f s (N·F/U), %.1f× longer", p.httpOnlySeconds(),
                p.httpOnlySeconds() / r.lastCompletionSeconds()));
        row(out, p.liars() > 0 ? "every honest verified" : "every agent verified", r.allVerified() ? "yes: each installed tree equals the published one"
                : "NO: an installed tree differs from the published one");
    }

    private static void row(PrintWriter out, String name, String value) {
        out.printf(Locale.ROOT, "%-22s %s%n", name, value);
    }

    private static String rate(long bytes) {
        return ProgressPrinter.decimal(bytes);
    }

    /** Each agent's progress: redrawn in place on a terminal, a summary line every few seconds otherwise. */
    private static final class DemoProgress {
        private final PrintWriter err;
        private final boolean terminal;
        private final long start = System.nanoTime();
        private int drawnLines;
        private long lastLine;

        DemoProgress(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        void show(List<Agent> agents) {
            double t = (System.nanoTime() - start) / 1e9;
            if (terminal) {
                StringBuilder b = new StringBuilder();
                if (drawnLines > 0) {
                    b.append("\033[").append(drawnLines).append('A');
                }
                for (Agent a : agents) {
                    Agent.Status s = a.status();
                    int pct = s.chunks() == 0 ? 0 : 100 * s.chunksHeld() / s.chunks();
                    b.append(String.format(Locale.ROOT, "\033[2K%s %s %3d%%  from peers %9s  from origin %9s  sent %9s  %s%n",
                            s.name(), bar(pct), pct, rate(s.bytesFromPeers()), rate(s.bytesFromOrigin()),
                            rate(s.bytesUploaded()), s.installedVersion() != null ? "installed" : ""));
                }
                drawnLines = agents.size();
                err.print(b);
                err.flush();
            } else if (t - lastLine >= 5 || agents.stream().allMatch(a -> a.status().installedVersion() != null)) {
                lastLine = (long) t;
                long installed = agents.stream().filter(a -> a.status().installedVersion() != null).count();
                long held = agents.stream().mapToLong(a -> a.status().chunksHeld()).sum();
                long total = agents.stream().mapToLong(a -> a.status().chunks()).sum();
                err.printf(Locale.ROOT, "%5.1f s: %d of %d agents installed, %d%% of all chunks held%n", t, installed,
                        agents.size(), total == 0 ? 0 : 100 * held / total);
                err.flush();
            }
        }

        private static String bar(int pct) {
            int full = pct / 5;
            return "[" + "#".repeat(full) + " ".repeat(20 - full) + "]";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
