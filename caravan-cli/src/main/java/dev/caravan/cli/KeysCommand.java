package dev.caravan.cli;

import dev.caravan.tuf.PublishResult;
import dev.caravan.tuf.RepositoryConfig;
import dev.caravan.tuf.RepositoryWriter;
import dev.caravan.tuf.Role;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code caravan keys}: the publisher's signing keys and the repository's root of trust. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Create or rotate the repository's signing keys.",
        subcommands = {KeysCommand.Init.class, KeysCommand.Rotate.class})
final class KeysCommand {

    /** Where the keys and the repository are: both subcommands take them. */
    static final class Folders {
        @Option(names = "--keys", required = true,
                description = "Folder of the private signing keys (owner-only; keep it off the origin).")
        Path keys;

        @Option(names = "--repo", required = true, description = "The repository folder.")
        Path repo;
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create root, targets, snapshot and timestamp keys and write metadata/1.root.json.")
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Folders folders;

        @Option(names = "--root-threshold", defaultValue = "1",
                description = "How many root keys to make, all of which must sign a new root (default ${DEFAULT-VALUE}).")
        int rootThreshold;

        @Override
        public Integer call() throws Exception {
            new RepositoryWriter(RepositoryConfig.defaults(), Clock.systemUTC()).init(folders.keys, folders.repo, rootThreshold);
            Path root = folders.repo.resolve("metadata").resolve("1.root.json");
            spec.commandLine().getOut().println("caravan keys: created keys in " + folders.keys.toAbsolutePath().normalize()
                    + " (keep them private)");
            spec.commandLine().getOut().println("caravan keys: wrote " + root.toAbsolutePath().normalize()
                    + " — give this file to every client as its trusted root");
            return 0;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Replace the keys of ROLE and write the next root, signed by the old and the new root keys.")
    static final class Rotate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Folders folders;

        @Parameters(paramLabel = "ROLE", description = "root, targets, snapshot or timestamp.")
        String role;

        @Option(names = "--threshold", description = "How many keys the role gets, all needed to sign (default: as now).")
        Integer threshold;

        @Override
        public Integer call() throws Exception {
            Role r = Role.of(role);
            RepositoryWriter writer = new RepositoryWriter(RepositoryConfig.defaults(), Clock.systemUTC());
            PublishResult result = threshold == null
                    ? writer.rotate(folders.keys, folders.repo, r)
                    : writer.rotate(folders.keys, folders.repo, r, threshold);
            spec.commandLine().getOut().println("caravan keys: rotated " + r.id() + " keys; wrote root version " + result.rootVersion());
            return 0;
        }
    }
}
