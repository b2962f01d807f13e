package dev.caravan.cli;

import dev.caravan.agent.GetProgress;
import dev.caravan.agent.ReleaseGetter;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.core.ReleaseId;
import dev.caravan.core.chunk.ChunkingConfig;
import dev.caravan.origin.client.OriginClient;
import dev.caravan.origin.client.OriginClientConfig;
import dev.caravan.origin.publish.Publisher;
import dev.caravan.origin.server.OriginConfig;
import dev.caravan.origin.server.OriginServer;
import dev.caravan.tuf.RepositoryConfig;
import dev.caravan.tuf.RepositoryWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code caravan demo}: the whole path in one process on loopback, with no setup. It makes
 * signing keys and a generated release, publishes it, serves the repository with the origin,
 * gets it into a fresh folder, then publishes a second version with about 1% of the bytes
 * changed and gets that too, showing that only the changed chunks cross the network.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Publish a generated release, serve it, get it, then get a slightly changed version; print what happened.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--size", defaultValue = "128MiB", converter = ByteSize.Converter.class,
            description = "Size of the generated release (default ${DEFAULT-VALUE}).")
    long size;

    @Option(names = "--files", defaultValue = "500", description = "Number of files in the release (default ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--dir", description = "Work folder to use and keep (default: a temporary folder, removed afterwards).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("caravan-demo-");
        try {
            return run(work, out);
        } finally {
            if (dir == null) {
                deleteTree(work);
            }
        }
    }

    private int run(Path work, PrintWriter out) throws Exception {
        Path keys = work.resolve("keys");
        Path repo = work.resolve("repo");
        Path source = work.resolve("source");
        Path cache = work.resolve("cache");
        Path installed = work.resolve("installed");
        Clock clock = Clock.systemUTC();
        RepositoryWriter writer = new RepositoryWriter(RepositoryConfig.defaults(), clock);
        Publisher publisher = new Publisher(writer, ChunkingConfig.DEFAULT, clock);

        out.printf(Locale.ROOT, "caravan demo in %s%n", work);
        writer.init(keys, repo, 1);
        out.println("1. made ed25519 signing keys and metadata/1.root.json (the root every client trusts)");

        new SyntheticRelease(size, files, 42).writeTo(source);
        out.printf(Locale.ROOT, "2. generated a release of %d files, %s%n", files, ProgressPrinter.human(size));

        long t0 = System.nanoTime();
        Publisher.Result v1 = publisher.publish(keys, repo, new ReleaseId("demo-app", "1.0.0"), "stable", source);
        out.printf(Locale.ROOT, "3. published demo-app 1.0.0: %d chunks (%s), signed as TUF targets v%d, in %.1f s%n",
                v1.manifest().chunks().size(), ProgressPrinter.human(v1.newBytes()), v1.metadata().targetsVersion(),
                secondsSince(t0));

        try (OriginServer origin = new OriginServer(OriginConfig.plain(repo, "127.0.0.1", 0));
             OriginClient client = new OriginClient(OriginClientConfig.defaults())) {
            InetSocketAddress address = origin.start();
            String url = "http://127.0.0.1:" + address.getPort();
            out.printf(Locale.ROOT, "4. origin serving the repository at %s%n", url);
            byte[] root = Files.readAllBytes(repo.resolve("metadata").resolve("1.root.json"));

            Step first = get(client, url, root, installed, cache, clock);
            boolean firstOk = SyntheticRelease.digestTree(source).equals(SyntheticRelease.digestTree(installed));
            out.printf(Locale.ROOT, "5. got 1.0.0 into %s: %s from the origin in %.1f s (%s/s); installed tree %s%n",
                    installed.getFileName(), ProgressPrinter.human(first.result.bytesFetched()), first.seconds,
                    ProgressPrinter.human((long) (first.result.bytesFetched() / first.seconds)),
                    firstOk ? "equals the published one" : "DIFFERS from the published one");

            long changed = SyntheticRelease.mutate(source, 0.01, 7);
            Publisher.Result v2 = publisher.publish(keys, repo, new ReleaseId("demo-app", "1.1.0"), "stable", source);
            out.printf(Locale.ROOT, "6. changed %s (%.1f%%) in place and published demo-app 1.1.0: %d new chunks (%s)%n",
                    ProgressPrinter.human(changed), 100.0 * changed / size, v2.newChunks(), ProgressPrinter.human(v2.newBytes()));

            Step second = get(client, url, root, installed, cache, clock);
            boolean secondOk = SyntheticRelease.digestTree(source).equals(SyntheticRelease.digestTree(installed));
            out.printf(Locale.ROOT, "7. got the newest on channel stable (%s): fetched %d chunks, %s = %.1f%% of the release; installed tree %s%n",
                    second.result.manifest().version(), second.result.chunksFetched(),
                    ProgressPrinter.human(second.result.bytesFetched()), 100.0 * second.result.bytesFetched() / size,
                    secondOk ? "equals the published one" : "DIFFERS from the published one");
            out.printf(Locale.ROOT, "%nsummary: origin sent %s for two versions of a %s release; every chunk verified against signed metadata%n",
                    ProgressPrinter.human(origin.bytesSent()), ProgressPrinter.human(size));
            return firstOk && secondOk ? 0 : 1;
        }
    }

    private record Step(ReleaseGetter.Result result, double seconds) {}

    private static Step get(OriginClient client, String url, byte[] root, Path installed, Path cache, Clock clock)
            throws Exception {
        long t0 = System.nanoTime();
        ReleaseGetter.Request request = new ReleaseGetter.Request(url, root, "demo-app", null, "stable", installed, cache,
                OriginClientConfig.DEFAULT_MAX_CONNECTIONS_PER_HOST);
        ReleaseGetter.Result result = new ReleaseGetter(client, clock, GetProgress.NONE).get(request);
        return new Step(result, secondsSince(t0));
    }

    private static double secondsSince(long t0) {
        return Math.max(1e-3, (System.nanoTime() - t0) / 1e9);
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
