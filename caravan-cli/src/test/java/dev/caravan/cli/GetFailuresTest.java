package dev.caravan.cli;

import static dev.caravan.cli.PublishAndGetTest.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.origin.server.OriginConfig;
import dev.caravan.origin.server.OriginServer;
import dev.caravan.tuf.NewTarget;
import dev.caravan.tuf.RepositoryConfig;
import dev.caravan.tuf.RepositoryWriter;
import dev.caravan.tuf.TargetInfo;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code caravan get} does with bad input and interruptions: fail clearly, lose nothing. */
class GetFailuresTest {
    @TempDir
    Path tmp;

    Path keys;
    Path repo;
    Path source;
    Path root;

    @BeforeEach
    void publish() throws Exception {
        keys = tmp.resolve("keys");
        repo = tmp.resolve("repo");
        source = tmp.resolve("source");
        root = repo.resolve("metadata/1.root.json");
        new SyntheticRelease(48L << 20, 120, 5).writeTo(source);
        ok(Cli.run("keys", "init", "--keys", keys, "--repo", repo));
        ok(Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "1.0", source));
    }

    @Test
    void aTamperedChunkOnTheOriginFailsTheGetNamingTheChunkAndWritesNothing() throws Exception {
        Path chunk = chunkFiles(repo.resolve("chunks")).get(3);
        try (RandomAccessFile raf = new RandomAccessFile(chunk.toFile(), "rw")) {
            raf.seek(1000);
            int b = raf.read();
            raf.seek(1000);
            raf.write(b ^ 0x01);
        }
        Path out = tmp.resolve("out");
        try (OriginServer origin = new OriginServer(OriginConfig.plain(repo, "127.0.0.1", 0))) {
            Cli get = Cli.run("get", "--origin", "http://127.0.0.1:" + origin.start().getPort(), "--trusted-root", root,
                    "--product", "app", "--version", "1.0", "--out", out, "--cache", tmp.resolve("cache"));

            assertThat(get.exitCode()).as(get.toString()).isEqualTo(1);
            assertThat(get.err()).contains("chunk " + chunk.getFileName()).contains("refused");
            assertThat(out).doesNotExist();
            assertThat(siblingsOf(out)).as("no staging folder left beside --out").isEmpty();
        }
    }

    @Test
    void aTamperedManifestOnTheOriginFailsTheGetNamingItAndWritesNothing() throws Exception {
        Path manifest;
        try (Stream<Path> targets = Files.list(repo.resolve("targets"))) {
            manifest = targets.filter(p -> p.toString().endsWith(".manifest.json")).findFirst().orElseThrow();
        }
        // The same length, one digest in it changed: what a hostile origin would slip in.
        String original = Files.readString(manifest);
        Matcher digest = Pattern.compile("[0-9a-f]{64}").matcher(original);
        assertThat(digest.find()).isTrue();
        char first = original.charAt(digest.start());
        String tampered = original.substring(0, digest.start()) + (first == '0' ? '1' : '0') + original.substring(digest.start() + 1);
        Files.writeString(manifest, tampered);
        try (var gz = new GZIPOutputStream(Files.newOutputStream(Path.of(manifest + ".gz")))) {
            gz.write(tampered.getBytes(StandardCharsets.UTF_8)); // the copy sent to clients that take gzip
        }
        Path out = tmp.resolve("out");
        try (OriginServer origin = new OriginServer(OriginConfig.plain(repo, "127.0.0.1", 0))) {
            Cli get = Cli.run("get", "--origin", "http://127.0.0.1:" + origin.start().getPort(), "--trusted-root", root,
                    "--product", "app", "--version", "1.0", "--out", out, "--cache", tmp.resolve("cache"));

            assertThat(get.exitCode()).as(get.toString()).isEqualTo(1);
            assertThat(get.err().strip()).doesNotContain("\n").contains("app-1.0.manifest.json", "sha256");
            assertThat(out).doesNotExist();
            assertThat(siblingsOf(out)).as("no staging folder left beside --out").isEmpty();
        }
    }

    @Test
    void aReleaseWhoseTargetNameCollidesIsNeitherPublishedNorInstalledInsteadOfTheOneAskedFor() throws Exception {
        ok(Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app-x", "--version", "1", source));
        Cli collide = Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "x-1", source);
        assertThat(collide.exitCode()).isEqualTo(1);
        assertThat(collide.err()).contains("is taken by app-x 1");

        Path out = tmp.resolve("out");
        try (OriginServer origin = new OriginServer(OriginConfig.plain(repo, "127.0.0.1", 0))) {
            Cli get = Cli.run("get", "--origin", "http://127.0.0.1:" + origin.start().getPort(), "--trusted-root", root,
                    "--product", "app", "--version", "x-1", "--out", out, "--cache", tmp.resolve("cache"));

            assertThat(get.exitCode()).as(get.toString()).isEqualTo(1);
            assertThat(get.err()).contains("asked for app x-1").contains("is app-x 1");
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void aManifestSignedUnderAnotherReleaseNameIsRefused() throws Exception {
        // A publisher mistake or a replayed manifest: app 1.0's manifest signed as the target of app 9.
        TargetInfo published = RepositoryWriter.targets(repo).get("app-1.0.manifest.json");
        byte[] manifest = Files.readAllBytes(RepositoryWriter.targetFile(repo, published));
        ObjectNode custom = JsonNodeFactory.instance.objectNode().put("product", "app").put("version", "9")
                .put("channel", "stable");
        new RepositoryWriter(RepositoryConfig.defaults(), Clock.systemUTC())
                .addTargets(keys, repo, Map.of("app-9.manifest.json", new NewTarget(manifest, custom)));

        Path out = tmp.resolve("out");
        try (OriginServer origin = new OriginServer(OriginConfig.plain(repo, "127.0.0.1", 0))) {
            Cli get = Cli.run("get", "--origin", "http://127.0.0.1:" + origin.start().getPort(), "--trusted-root", root,
                    "--product", "app", "--channel", "stable", "--out", out, "--cache", tmp.resolve("cache"));

            assertThat(get.exitCode()).as(get.toString()).isEqualTo(1);
            assertThat(get.err()).contains("manifest app-9.manifest.json describes app 1.0")
                    .contains("its signed target says app 9");
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void aFailedGetLeavesThePreviousInstallExactlyAsItWas() throws Exception {
        Path out = tmp.resolve("out");
        try (OriginServer origin = new OriginServer(OriginConfig.plain(repo, "127.0.0.1", 0))) {
            String url = "http://127.0.0.1:" + origin.start().getPort();
            ok(Cli.run("get", "--origin", url, "--trusted-root", root, "--product", "app", "--version", "1.0", "--out", out,
                    "--cache", tmp.resolve("cache")));
            SortedMap<String, String> installed = SyntheticRelease.digestTree(out);

            SyntheticRelease.mutate(source, 0.02, 9);
            ok(Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "1.1", source));
            for (Path chunk : chunkFiles(repo.resolve("chunks"))) {
                Files.write(chunk, new byte[] {1, 2, 3}); // the origin now serves garbage for every chunk
            }
            Cli get = Cli.run("get", "--origin", url, "--trusted-root", root, "--product", "app", "--version", "1.1",
                    "--out", out, "--cache", tmp.resolve("cache"));

            assertThat(get.exitCode()).as(get.toString()).isEqualTo(1);
            assertThat(get.err()).contains("chunk ");
            assertThat(SyntheticRelease.digestTree(out)).isEqualTo(installed);
        }
    }

    @Test
    void aGetKilledMidwayResumesWithoutFetchingAVerifiedChunkAgain() throws Exception {
        Path out = tmp.resolve("out");
        Path cache = tmp.resolve("cache");
        long releaseBytes = 48L << 20;
        // A slow origin (8 MB/s) so that the first get is surely killed in the middle.
        OriginConfig config = OriginConfig.plain(repo, "127.0.0.1", 0).withUploadRateBytesPerSecond(8_000_000);
        try (OriginServer origin = new OriginServer(config)) {
            String url = "http://127.0.0.1:" + origin.start().getPort();
            Process get = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "get", "--origin", url, "--trusted-root", root.toString(), "--product", "app", "--version", "1.0",
                    "--out", out.toString(), "--cache", cache.toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("first-get.log").toFile()).start();
            Path chunks = cache.resolve("chunks");
            await().atMost(Duration.ofSeconds(60)).until(() -> !get.isAlive() || chunkFiles(chunks).size() >= 8);
            assertThat(get.isAlive()).as("the first get was still running when killed").isTrue();
            get.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no cleanup
            assertThat(out).doesNotExist();

            List<Path> kept = chunkFiles(chunks);
            long keptBytes = 0;
            for (Path chunk : kept) {
                keptBytes += Files.size(chunk);
            }
            long before = origin.bytesSent();
            Cli resumed = ok(Cli.run("get", "--origin", url, "--trusted-root", root, "--product", "app", "--version", "1.0",
                    "--out", out, "--cache", cache));
            long sent = origin.bytesSent() - before;

            assertThat(SyntheticRelease.digestTree(out)).isEqualTo(SyntheticRelease.digestTree(source));
            long total = chunkFiles(repo.resolve("chunks")).size();
            assertThat(resumed.out()).contains("fetched " + (total - kept.size()) + " chunks");
            // Only the missing chunks, plus the (small) metadata and manifest, crossed the network again;
            // each response also carries its HTTP headers (well under 1 KiB, while a chunk is >= 256 KiB).
            long requests = total - kept.size() + 10;
            assertThat(sent).isLessThanOrEqualTo(releaseBytes - keptBytes + filesBytes(repo.resolve("metadata"))
                    + filesBytes(repo.resolve("targets")) + 1024 * requests);
        }
    }

    static List<Path> chunkFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return new ArrayList<>(walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).sorted().toList());
        }
    }

    private static long filesBytes(Path dir) throws Exception {
        long sum = 0;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                sum += Files.size(p);
            }
        }
        return sum;
    }

    private static List<Path> siblingsOf(Path out) throws Exception {
        try (Stream<Path> list = Files.list(out.getParent())) {
            return list.filter(p -> p.getFileName().toString().contains(out.getFileName().toString())).toList();
        }
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
