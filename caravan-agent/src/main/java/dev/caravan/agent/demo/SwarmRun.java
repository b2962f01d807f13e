package dev.caravan.agent.demo;

import dev.caravan.agent.Agent;
import dev.caravan.origin.publish.Publisher;
import dev.caravan.wire.tls.TlsFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One swarm experiment: N agents (each capped at u bytes/s up and d down) started together, then a
 * generated release of F bytes published to an origin capped at U bytes/s, timed from its
 * publication until the last agent has installed it; then every installed tree is compared with
 * the published one. What
 * {@code caravan demo} and the swarm benchmark run.
 *
 * <p>The lower bound is the classic one for distributing a file from one server to N clients
 * (Kumar and Ross, "Peer-assisted file distribution: the minimum distribution time", 2006):
 * {@code T_min = max(F/U, F/d, N·F/(U + N·u))} — the server must send every byte once, each client
 * must receive F, and all N·F bytes must cross the uploads of the server and the peers.
 */
public final class SwarmRun {

    /**
     * What to run.
     *
     * @param peers N, the number of agents
     * @param releaseBytes F, the size of the generated release
     * @param files how many files the release has
     * @param originRateBytesPerSecond U, the origin's upload cap (must be set: the bound needs it)
     * @param peerUploadRateBytesPerSecond u, each agent's upload cap (must be set)
     * @param peerDownloadRateBytesPerSecond d, each agent's download cap, 0 for none
     * @param timeoutSeconds give up after this long
     * @param liars how many of the N agents serve every block with one bit flipped (the last ones
     *     started); they count among the N, but the run is timed and verified on the honest ones
     */
    public record Plan(int peers, long releaseBytes, int files, long originRateBytesPerSecond,
            long peerUploadRateBytesPerSecond, long peerDownloadRateBytesPerSecond, long timeoutSeconds, int liars) {
        public Plan {
            if (peers < 1) {
                throw new IllegalArgumentException("--peers must be at least 1, got " + peers);
            }
            if (liars < 0 || liars >= peers) {
                throw new IllegalArgumentException("--liars must be from 0 to one less than --peers (" + (peers - 1)
                        + "), got " + liars);
            }
            if (releaseBytes < 1) {
                throw new IllegalArgumentException("--size must be at least 1 byte, got " + releaseBytes);
            }
            if (originRateBytesPerSecond < 1) {
                throw new IllegalArgumentException("--origin-rate must be a positive rate, got " + originRateBytesPerSecond);
            }
            if (peerUploadRateBytesPerSecond < 1) {
                throw new IllegalArgumentException("--peer-rate must be a positive rate, got " + peerUploadRateBytesPerSecond);
            }
            if (peerDownloadRateBytesPerSecond < 0) {
                throw new IllegalArgumentException("the download rate must be 0 (none) or more, got " + peerDownloadRateBytesPerSecond);
            }
        }

        /** T_min in seconds. */
        public double lowerBoundSeconds() {
            double f = releaseBytes;
            double bound = Math.max(f / originRateBytesPerSecond, peers * f / (originRateBytesPerSecond
                    + (double) peers * peerUploadRateBytesPerSecond));
            if (peerDownloadRateBytesPerSecond > 0) {
                bound = Math.max(bound, f / peerDownloadRateBytesPerSecond);
            }
            return bound;
        }

        /** N·F/U: every agent fetching from the origin alone. */
        public double httpOnlySeconds() {
            return (double) peers * releaseBytes / originRateBytesPerSecond;
        }
    }

    /**
     * What happened.
     *
     * @param completionSeconds per honest agent, from the release's publication (when every agent looks
     *     at the channel) to its install, in start order
     * @param originBytesSent what the origin sent (metadata, manifests and chunks)
     * @param peerBytesReceived chunk bytes the agents received from each other
     * @param allVerified whether every honest agent ended with exactly the published tree
     * @param peersCutOff peer connections the honest agents cut off (bans of liars, mostly), summed
     * @param honestOriginBytes chunk bytes the honest agents received from the origin (what liars
     *     fetched for themselves is in {@code originBytesSent} only)
     * @param agentsReadySeconds how long the agents took, before the release was published, to start:
     *     listening, known to the tracker, the channel looked at once (not in the completion times)
     */
    public record Result(Plan plan, long releaseBytes, List<Double> completionSeconds, long originBytesSent,
            long peerBytesReceived, boolean allVerified, long peersCutOff, long honestOriginBytes,
            double agentsReadySeconds) {
        public double lastCompletionSeconds() {
            return completionSeconds.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        public double ratioToLowerBound() {
            return lastCompletionSeconds() / plan.lowerBoundSeconds();
        }

        public double originBytesPerRelease() {
            return (double) originBytesSent / releaseBytes;
        }
    }

    private final Plan plan;
    private final LocalSwarm.Options options;

    public SwarmRun(Plan plan, LocalSwarm.Options options) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.options = options.withRates(plan.originRateBytesPerSecond(), plan.peerUploadRateBytesPerSecond(),
                plan.peerDownloadRateBytesPerSecond());
    }

    /**
     * Starts the agents in {@code work}, then generates and publishes the release and tells them;
     * reports each second to {@code watcher}.
     *
     * <p>As in a fleet, the agents are running services when the release ships: they are enrolled
     * (certificates issued), started together, listening and known to the tracker, and have looked at
     * the channel once and found nothing, before it is published. The clock starts when the release
     * is published and every agent looks at the channel again at once, as a fleet's machines polling
     * at that instant would; it stops at the last install. How long the agents took to start is
     * reported apart ({@link Result#agentsReadySeconds()}).
     */
    public Result run(Path work, Consumer<List<Agent>> watcher) throws IOException, InterruptedException {
        Path source = work.resolve("source");
        new SyntheticRelease(plan.releaseBytes(), plan.files(), 42).writeTo(source);
        try (LocalSwarm swarm = LocalSwarm.start(work, options)) {
            List<String> names = new ArrayList<>();
            Path certs = null;
            for (int i = 0; i < plan.peers(); i++) {
                names.add(String.format("agent-%02d", i + 1));
                certs = swarm.issue(names.getLast());
            }
            Path certFolder = certs;
            ExecutorService starter = Executors.newFixedThreadPool(Math.min(plan.peers(), 4));
            List<Agent> agents = new ArrayList<>();
            List<Agent> honest = new ArrayList<>();
            long starting = System.nanoTime();
            try {
                List<Future<Agent>> started = new ArrayList<>();
                for (String name : names) {
                    started.add(starter.submit(() -> swarm.startAgent(name, "default", TlsFiles.in(certFolder, name))));
                }
                for (Future<Agent> f : started) {
                    Agent agent = f.get();
                    agents.add(agent);
                    if (agents.size() > plan.peers() - plan.liars()) {
                        agent.lieToPeers(); // it holds nothing yet, so it has served nothing true
                    } else {
                        honest.add(agent);
                    }
                }
            } catch (ExecutionException e) {
                throw new IOException("an agent did not start: " + e.getCause().getMessage(), e.getCause());
            } finally {
                starter.shutdown();
            }
            awaitReady(swarm, agents, starting + TimeUnit.SECONDS.toNanos(plan.timeoutSeconds()));
            double readySeconds = (System.nanoTime() - starting) / 1e9;
            Publisher.Result published = swarm.publish(source, "1.0.0");
            long originBefore = swarm.origin().bytesSent();
            long start = System.nanoTime();
            List<CompletableFuture<Double>> done = new ArrayList<>();
            for (Agent agent : honest) {
                done.add(agent.firstInstall().thenApply(m -> (System.nanoTime() - start) / 1e9));
            }
            agents.forEach(Agent::checkNow);
            CompletableFuture<Void> all = CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
            long deadline = starting + TimeUnit.SECONDS.toNanos(plan.timeoutSeconds());
            while (!all.isDone()) {
                try {
                    all.get(1, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("not every agent had the release after " + plan.timeoutSeconds() + " s");
                    }
                } catch (ExecutionException e) {
                    throw new IOException("an agent failed: " + e.getCause().getMessage(), e.getCause());
                }
                watcher.accept(agents);
            }
            watcher.accept(agents);
            List<Double> seconds = done.stream().map(CompletableFuture::join).toList();
            long originBytes = swarm.origin().bytesSent() - originBefore;
            long peerBytes = honest.stream().mapToLong(a -> a.status().bytesFromPeers()).sum();
            SortedMap<String, String> expected = SyntheticRelease.digestTree(source);
            boolean verified = true;
            for (Agent a : honest) {
                verified &= expected.equals(SyntheticRelease.digestTree(a.currentDir().toRealPath()));
            }
            long cutOff = honest.stream().mapToLong(Agent::peersCutOff).sum();
            long honestOrigin = honest.stream().mapToLong(a -> a.status().bytesFromOrigin()).sum();
            return new Result(plan, published.manifest().totalBytes(), seconds, originBytes, peerBytes, verified, cutOff,
                    honestOrigin, readySeconds);
        }
    }

    /**
     * Waits until every agent is known to the tracker and has looked at the channel once, finding
     * nothing published on it yet; an agent whose look failed otherwise fails the run at once.
     */
    private static void awaitReady(LocalSwarm swarm, List<Agent> agents, long deadline) throws IOException, InterruptedException {
        while (swarm.tracker().store().count() < agents.size() || !agents.stream().allMatch(Agent::waitingForRelease)) {
            for (Agent a : agents) {
                String error = a.status().lastError();
                if (error != null && !a.waitingForRelease()) {
                    throw new IOException(a.settings().name() + " could not look at the channel: " + error);
                }
            }
            if (System.nanoTime() > deadline) {
                List<String> late = agents.stream().filter(a -> !a.waitingForRelease()).map(a -> a.settings().name()).toList();
                throw new IOException("the agents were not ready after the timeout: " + swarm.tracker().store().count() + " of "
                        + agents.size() + " known to the tracker; not yet looked at the channel: " + late);
            }
            Thread.sleep(10);
        }
    }
}
