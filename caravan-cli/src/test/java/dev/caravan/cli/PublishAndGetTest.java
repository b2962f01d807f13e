package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.origin.server.OriginConfig;
import dev.caravan.origin.server.OriginServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end check: publish a 200 MiB tree of 1,000 files, get it from a real
 * origin over loopback, then publish a version with about 1% of its bytes changed and show that
 * getting it costs at most 5% of the release's bytes.
 */
class PublishAndGetTest {
    static final long SIZE = 200L << 20;

    @TempDir
    Path tmp;

    @Test
    void getsTheExactTreeAndANewVersionCostsOnlyTheChangedChunks() throws Exception {
        Path keys = tmp.resolve("keys");
        Path repo = tmp.resolve("repo");
        Path source = tmp.resolve("source");
        Path out = tmp.resolve("out");
        Path cache = tmp.resolve("cache");
        new SyntheticRelease(SIZE, 1000, 1).writeTo(source);
        assertThat(emptyFiles(source)).as("the tree has empty files").isPositive();

        ok(Cli.run("keys", "init", "--keys", keys, "--repo", repo));
        ok(Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "1.0.0", source));

        try (OriginServer origin = new OriginServer(OriginConfig.plain(repo, "127.0.0.1", 0))) {
            String url = "http://127.0.0.1:" + origin.start().getPort();
            Path root = repo.resolve("metadata/1.root.json");

            Cli first = ok(Cli.run("get", "--origin", url, "--trusted-root", root, "--product", "app", "--version", "1.0.0",
                    "--out", out, "--cache", cache));
            assertThat(first.out()).contains("installed app 1.0.0 (1000 files");
            assertThat(SyntheticRelease.digestTree(out)).isEqualTo(SyntheticRelease.digestTree(source));

            long changed = SyntheticRelease.mutate(source, 0.01, 2);
            assertThat(changed).isBetween(SIZE / 200, SIZE / 50);
            ok(Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "1.0.1", source));

            long before = origin.bytesSent();
            Cli second = ok(Cli.run("get", "--origin", url, "--trusted-root", root, "--product", "app", "--channel", "stable",
                    "--out", out, "--cache", cache));
            long sent = origin.bytesSent() - before;
            assertThat(second.out()).contains("installed app 1.0.1");
            assertThat(SyntheticRelease.digestTree(out)).isEqualTo(SyntheticRelease.digestTree(source));
            assertThat(sent).as("origin bytes for v2 (metadata, manifest and changed chunks)").isLessThanOrEqualTo(SIZE / 20);
        }
    }

    @Test
    void publishingUnchangedContentAgainStoresNothingNew() throws Exception {
        Path keys = tmp.resolve("keys");
        Path repo = tmp.resolve("repo");
        Path source = tmp.resolve("source");
        new SyntheticRelease(4 << 20, 20, 3).writeTo(source);
        ok(Cli.run("keys", "init", "--keys", keys, "--repo", repo));
        ok(Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "1", source));
        long chunkFiles = countFiles(repo.resolve("chunks"));

        Cli same = ok(Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "1", source));
        assertThat(same.out()).contains("already published with this content; nothing changed");
        Cli next = ok(Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "2", source));
        assertThat(next.out()).contains("0 new chunks");
        assertThat(countFiles(repo.resolve("chunks"))).isEqualTo(chunkFiles);

        SyntheticRelease.mutate(source, 0.01, 4);
        Cli changed = Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "2", source);
        assertThat(changed.exitCode()).isEqualTo(1);
        assertThat(changed.err()).contains("app 2 is already published with other content");
    }

    static Cli ok(Cli result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    static long countFiles(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).count();
        }
    }

    private static long emptyFiles(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(p -> p.toFile().length() == 0).count();
        }
    }
}
