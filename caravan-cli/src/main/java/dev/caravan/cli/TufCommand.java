package dev.caravan.cli;

import dev.caravan.origin.client.OriginClientConfig;
import dev.caravan.tuf.TargetInfo;
import dev.caravan.tuf.TufClient;
import dev.caravan.tuf.TufClientConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code caravan tuf}: the TUF client on its own, for auditors and scripts. Exit status 0 on
 * success, 1 on any failure with a one-line reason on stderr.
 */
@Command(name = "tuf", mixinStandardHelpOptions = true,
        description = "The TUF client on its own: trust a root, refresh metadata, download verified targets.",
        subcommands = {TufCommand.Init.class, TufCommand.Refresh.class, TufCommand.Download.class})
final class TufCommand {

    /** Options every tuf subcommand takes. */
    static final class Common {
        @Option(names = "--metadata-dir", required = true, description = "Folder of the client's trusted metadata.")
        Path metadataDir;

        @Option(names = "--now", description = "Judge expiry at this instant (e.g. 2030-01-01T00:00:00Z) instead of the system clock.")
        Instant now;

        Clock clock() {
            return now == null ? Clock.systemUTC() : Clock.fixed(now, ZoneOffset.UTC);
        }
    }

    /** Where the repository's metadata is: the subcommands that talk to it take this. */
    static final class Remote {
        @Option(names = "--metadata-url", required = true,
                description = "Base URL of the repository's metadata (http, https or file).")
        String metadataUrl;

        /** A client of the metadata folder in {@code common}, refreshed from {@link #metadataUrl}. */
        TufClient refreshed(Common common, UrlFetcher fetcher) throws Exception {
            TufClient client = new TufClient(common.metadataDir, fetcher, metadataUrl, common.clock(),
                    TufClientConfig.defaults());
            client.refresh();
            return client;
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true, description = "Trust ROOT_JSON, obtained out of band.")
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common;

        @Parameters(paramLabel = "ROOT_JSON", description = "The root metadata file to trust.")
        Path root;

        @Override
        public Integer call() throws Exception {
            TufClient.init(common.metadataDir, Files.readAllBytes(root));
            spec.commandLine().getOut().println("trusted " + root + " in " + common.metadataDir);
            return 0;
        }
    }

    @Command(name = "refresh", mixinStandardHelpOptions = true,
            description = "Update the trusted metadata from the repository (TUF client workflow 5.1 to 5.6).")
    static final class Refresh implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common;

        @Mixin
        Remote remote;

        @Override
        public Integer call() throws Exception {
            try (UrlFetcher fetcher = new UrlFetcher(OriginClientConfig.defaults())) {
                TufClient client = remote.refreshed(common, fetcher);
                spec.commandLine().getOut().println("refreshed: root version " + client.rootVersion() + ", "
                        + client.targets().size() + " targets");
            }
            return 0;
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Refresh, then download and verify each target NAME into --target-dir.")
    static final class Download implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common;

        @Mixin
        Remote remote;

        @Option(names = "--target-base-url", required = true, description = "Base URL of the repository's targets.")
        String targetBaseUrl;

        @Option(names = "--target-dir", required = true, description = "Folder to write the verified targets into.")
        Path targetDir;

        @Parameters(paramLabel = "NAME", arity = "1..*", description = "Target names.")
        List<String> names;

        @Override
        public Integer call() throws Exception {
            try (UrlFetcher fetcher = new UrlFetcher(OriginClientConfig.defaults())) {
                TufClient client = remote.refreshed(common, fetcher);
                Files.createDirectories(targetDir);
                for (String name : names) {
                    TargetInfo info = client.getTargetInfo(name);
                    byte[] data = client.downloadTarget(info, targetBaseUrl);
                    Path base = targetDir.toAbsolutePath().normalize();
                    Path out = base.resolve(name).normalize();
                    if (!out.startsWith(base) || out.equals(base)) {
                        throw new IllegalArgumentException("target name " + name + " would be written outside " + targetDir);
                    }
                    Files.createDirectories(out.getParent());
                    Path tmp = Files.createTempFile(out.getParent(), ".download-", ".tmp");
                    try {
                        Files.write(tmp, data);
                        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                    spec.commandLine().getOut().println("verified " + name + " (" + data.length + " bytes) -> " + out);
                }
            }
            return 0;
        }
    }
}
