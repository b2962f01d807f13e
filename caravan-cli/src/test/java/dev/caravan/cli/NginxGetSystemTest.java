package dev.caravan.cli;

import static dev.caravan.cli.PublishAndGetTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.testkit.Nginx;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository published by Caravan and served by a real nginx with the documented server block:
 * {@code caravan get} installs the exact tree, and a new version costs only its new chunks. Run
 * with {@code -Psystem}; needs nginx.
 */
@Tag("system")
class NginxGetSystemTest {
    @TempDir
    Path tmp;

    @Test
    void getFromNginxInstallsTheExactTree() throws Exception {
        Path keys = tmp.resolve("keys");
        Path repo = tmp.resolve("repo");
        Path source = tmp.resolve("source");
        Path out = tmp.resolve("out");
        Path cache = tmp.resolve("cache");
        long size = 32L << 20;
        new SyntheticRelease(size, 200, 21).writeTo(source);
        ok(Cli.run("keys", "init", "--keys", keys, "--repo", repo));
        ok(Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "1", source));

        try (Nginx nginx = Nginx.serve(repo, tmp.resolve("nginx"))) {
            Path root = repo.resolve("metadata/1.root.json");
            ok(Cli.run("get", "--origin", nginx.baseUrl(), "--trusted-root", root, "--product", "app", "--out", out,
                    "--cache", cache));
            assertThat(SyntheticRelease.digestTree(out)).isEqualTo(SyntheticRelease.digestTree(source));

            SyntheticRelease.mutate(source, 0.01, 22);
            ok(Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "2", source));
            Cli second = ok(Cli.run("get", "--origin", nginx.baseUrl(), "--trusted-root", root, "--product", "app",
                    "--out", out, "--cache", cache));

            assertThat(second.out()).contains("installed app 2");
            assertThat(SyntheticRelease.digestTree(out)).isEqualTo(SyntheticRelease.digestTree(source));
        }
    }
}
