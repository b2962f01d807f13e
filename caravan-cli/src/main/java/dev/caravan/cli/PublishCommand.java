package dev.caravan.cli;

import dev.caravan.core.ReleaseId;
import dev.caravan.core.chunk.ChunkingConfig;
import dev.caravan.core.manifest.Manifest;
import dev.caravan.origin.publish.Publisher;
import dev.caravan.tuf.RepositoryConfig;
import dev.caravan.tuf.RepositoryWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code caravan publish}: turns a file or folder into a signed release of the repository. */
@Command(name = "publish", description = "Chunk PATH into the repository and sign it as a release (a TUF target).")
final class PublishCommand implements Callable<Integer> {
    // Not picocli's standard help options: their -V/--version would clash with this command's
    // --version (the release), which made even --help fail.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Mixin
    KeysCommand.Folders folders;

    @Option(names = "--product", required = true, description = "Product name (lowercase letters, digits, '.', '_', '-').")
    String product;

    @Option(names = "--version", required = true, description = "Release version, e.g. 1.4.2.")
    String version;

    @Option(names = "--channel", defaultValue = "stable", description = "Channel to publish on (default ${DEFAULT-VALUE}).")
    String channel;

    @Parameters(paramLabel = "PATH", description = "The file or folder to publish.")
    Path source;

    @Override
    public Integer call() throws Exception {
        ReleaseId release = new ReleaseId(product, version);
        Publisher.Result result = new Publisher(new RepositoryWriter(RepositoryConfig.defaults(), Clock.systemUTC()),
                ChunkingConfig.DEFAULT, Clock.systemUTC()).publish(folders.keys, folders.repo, release, channel, source);
        Manifest m = result.manifest();
        if (result.alreadyPublished()) {
            spec.commandLine().getOut().println("caravan publish: " + release
                    + " is already published with this content; nothing changed");
        } else {
            spec.commandLine().getOut().printf(Locale.ROOT,
                    "caravan publish: %s on %s: %d files, %s in %d chunks; %d new chunks (%s) stored; targets version %d%n",
                    release, channel, m.files().size(), ProgressPrinter.human(m.totalBytes()), m.chunks().size(),
                    result.newChunks(), ProgressPrinter.human(result.newBytes()), result.metadata().targetsVersion());
        }
        return 0;
    }
}
