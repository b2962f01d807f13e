package dev.caravan.cli;

import dev.caravan.tuf.PublishResult;
import dev.caravan.tuf.RepositoryConfig;
import dev.caravan.tuf.RepositoryWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code caravan timestamp}: re-signs timestamp.json so that clients never see it expire. */
@Command(name = "timestamp", mixinStandardHelpOptions = true,
        description = {"Re-sign metadata/timestamp.json with a fresh expiry (run it from cron, more often than daily).",
                "Snapshot and targets metadata are re-signed too once half their validity is gone."})
final class TimestampCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KeysCommand.Folders folders;

    @Override
    public Integer call() throws Exception {
        PublishResult result = new RepositoryWriter(RepositoryConfig.defaults(), Clock.systemUTC())
                .resignTimestamp(folders.keys, folders.repo);
        spec.commandLine().getOut().println("caravan timestamp: wrote timestamp version " + result.timestampVersion()
                + " (snapshot version " + result.snapshotVersion() + ", targets version " + result.targetsVersion() + ")");
        return 0;
    }
}
