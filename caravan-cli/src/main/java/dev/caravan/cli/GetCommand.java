package dev.caravan.cli;

import dev.caravan.agent.GetProgress;
import dev.caravan.agent.ReleaseGetter;
import dev.caravan.core.manifest.ChunkInfo;
import dev.caravan.core.manifest.Manifest;
import dev.caravan.origin.client.OriginClient;
import dev.caravan.origin.client.OriginClientConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code caravan get}: fetches, verifies and installs one release from an origin. */
@Command(name = "get", description = "Fetch a release from an origin, verify every byte against the signed metadata, and install it into --out.")
final class GetCommand implements Callable<Integer> {
    // Not picocli's standard help options: their -V/--version would clash with this command's
    // --version (the release), which made even --help fail.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Option(names = "--origin", required = true, description = "The origin's base URL, e.g. http://origin:8080.")
    String origin;

    @Option(names = "--trusted-root", required = true,
            description = "Root metadata trusted out of band (used the first time; later the cache's newer root is kept).")
    Path trustedRoot;

    @Option(names = "--product", required = true, description = "The product to get.")
    String product;

    @ArgGroup(exclusive = true)
    Which which = new Which();

    static final class Which {
        @Option(names = "--version", description = "This version.")
        String version;

        @Option(names = "--channel", description = "The newest release of this channel (default: stable).")
        String channel;
    }

    @Option(names = "--out", required = true, description = "Folder to install into (replaced all-or-nothing).")
    Path out;

    @Option(names = "--cache", description = "Cache folder (default: $XDG_CACHE_HOME/caravan or ~/.cache/caravan).")
    Path cache;

    @Option(names = "--connections", defaultValue = "4", description = "Keep-alive connections to the origin (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--ca", description = "PEM CA certificates to trust for an https origin (default: the JDK's trust store).")
    Path ca;

    @Override
    public Integer call() throws Exception {
        String channel = which.version == null && which.channel == null ? "stable" : which.channel;
        OriginClientConfig config = OriginClientConfig.defaults().withMaxConnectionsPerHost(connections)
                .withTrustedCaPem(ca);
        long started = System.nanoTime();
        try (OriginClient client = new OriginClient(config)) {
            ReleaseGetter.Request request = new ReleaseGetter.Request(origin, Files.readAllBytes(trustedRoot), product,
                    which.version, channel, out, cache == null ? defaultCache() : cache, connections);
            GetProgress progress = ProgressPrinter.forStderr(spec.commandLine().getErr());
            ReleaseGetter.Result result = new ReleaseGetter(client, Clock.systemUTC(), progress).get(request);
            double seconds = (System.nanoTime() - started) / 1e9;
            Manifest m = result.manifest();
            long distinctBytes = m.distinctChunks().stream().mapToLong(ChunkInfo::size).sum();
            spec.commandLine().getOut().printf(Locale.ROOT,
                    "caravan get: installed %s (%d files, %s) into %s in %.1f s; fetched %d chunks (%s) from the origin,"
                            + " %s from the cache%n",
                    m.releaseId(), m.files().size(), ProgressPrinter.human(m.totalBytes()), out, seconds,
                    result.chunksFetched(), ProgressPrinter.human(result.bytesFetched()),
                    ProgressPrinter.human(Math.max(0, distinctBytes - result.bytesFetched())));
        }
        return 0;
    }

    static Path defaultCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("caravan");
    }
}
