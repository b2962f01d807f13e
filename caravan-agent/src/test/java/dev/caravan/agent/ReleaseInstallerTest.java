package dev.caravan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.core.Digest;
import dev.caravan.core.IntegrityException;
import dev.caravan.core.ReleaseId;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.core.chunk.ChunkingConfig;
import dev.caravan.core.manifest.ChunkSlice;
import dev.caravan.core.manifest.FileEntry;
import dev.caravan.core.manifest.Manifest;
import dev.caravan.core.manifest.ManifestException;
import dev.caravan.core.manifest.ReleaseChunker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseInstallerTest {
    static final ChunkingConfig SMALL = new ChunkingConfig(1024, 4096, 16384);
    static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    @TempDir
    Path dir;
    Path source;
    Path installs;
    ChunkStore store;
    ReleaseInstaller installer;

    @BeforeEach
    void setUp() throws IOException {
        source = Files.createDirectories(dir.resolve("source"));
        installs = Files.createDirectories(dir.resolve("versions"));
        store = new ChunkStore(dir.resolve("cache"));
        installer = new ReleaseInstaller(store);
    }

    private void write(Path root, String path, byte[] data) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, data);
    }

    private static byte[] random(long seed, int size) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private Manifest publish(String version) throws IOException {
        return new ReleaseChunker(store, SMALL).chunk(source, new ReleaseId("app", version), "stable", NOW).manifest();
    }

    private Manifest sampleRelease() throws IOException {
        write(source, "bin/app", random(1, 50_000));
        write(source, "lib/a.so", random(2, 20_000));
        write(source, "lib/small.txt", "small".getBytes(StandardCharsets.UTF_8));
        write(source, "share/doc/empty", new byte[0]);
        write(source, "share/doc/README", "read me\n".getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(source.resolve("bin/app"), PosixFilePermissions.fromString("rwxr-xr-x"));
        return publish("1.0");
    }

    /** Every file under {@code root} with its bytes and permissions, and every folder. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.toList()) {
                String rel = root.relativize(p).toString();
                String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                tree.put(rel, Files.isDirectory(p) ? "dir " + perms
                        : perms + " " + Digest.sha256(Files.readAllBytes(p)));
            }
        }
        return tree;
    }

    private List<String> parentEntries() throws IOException {
        try (Stream<Path> entries = Files.list(installs)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theInstalledTreeEqualsThePublishedOne() throws IOException {
        Manifest manifest = sampleRelease();
        Path target = installs.resolve("1.0");

        installer.install(manifest, target);

        Map<String, String> installed = snapshot(target);
        Map<String, String> published = snapshot(source);
        published.put("", installed.get(""));
        assertThat(installed).isEqualTo(published);
        assertThat(Files.getPosixFilePermissions(target.resolve("bin/app"))).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(Files.getPosixFilePermissions(target.resolve("lib/a.so"))).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(parentEntries()).containsExactly("1.0");
    }

    @Test
    void anExistingTargetIsReplacedAndTheOldTreeRemoved() throws IOException {
        Path target = installs.resolve("current");
        write(target, "stale/file.txt", "old".getBytes(StandardCharsets.UTF_8));
        Manifest manifest = sampleRelease();

        installer.install(manifest, target);

        assertThat(target.resolve("stale")).doesNotExist();
        assertThat(Files.readAllBytes(target.resolve("lib/small.txt"))).isEqualTo("small".getBytes(StandardCharsets.UTF_8));
        assertThat(parentEntries()).containsExactly("current");
    }

    @Test
    void aMissingChunkLeavesTheTargetAsItWasAndNamesTheChunk() throws IOException {
        Path target = installs.resolve("current");
        write(target, "keep/me.txt", "precious".getBytes(StandardCharsets.UTF_8));
        Map<String, String> before = snapshot(target);
        Manifest manifest = sampleRelease();
        Digest missing = manifest.chunks().get(manifest.chunks().size() / 2).digest();
        store.delete(missing);

        assertThatThrownBy(() -> installer.install(manifest, target))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("chunk " + missing + " is not in the chunk store");

        assertThat(snapshot(target)).isEqualTo(before);
        assertThat(parentEntries()).containsExactly("current");
    }

    @Test
    void aCorruptChunkLeavesTheTargetAsItWasAndNoStagingBehind() throws IOException {
        Path target = installs.resolve("current");
        write(target, "keep/me.txt", "precious".getBytes(StandardCharsets.UTF_8));
        Map<String, String> before = snapshot(target);
        Manifest manifest = sampleRelease();
        // The first chunk lies inside bin/app alone, so exactly one writer reads it.
        Digest corrupt = manifest.chunks().getFirst().digest();
        byte[] bytes = Files.readAllBytes(store.path(corrupt));
        bytes[bytes.length / 2] ^= 1;
        Files.write(store.path(corrupt), bytes);

        assertThatThrownBy(() -> installer.install(manifest, target))
                .isInstanceOf(IntegrityException.class)
                .hasMessageContaining("chunk " + corrupt)
                .hasMessageContaining("corrupt");

        assertThat(snapshot(target)).isEqualTo(before);
        assertThat(parentEntries()).containsExactly("current");
        assertThat(store.has(corrupt)).isFalse();
    }

    @Test
    void aTruncatedChunkIsNamedAndRemovedSoThatTheNextGetFetchesItAgain() throws IOException {
        Path target = installs.resolve("current");
        Manifest manifest = sampleRelease();
        Digest truncated = manifest.chunks().getFirst().digest();
        byte[] bytes = Files.readAllBytes(store.path(truncated));
        Files.write(store.path(truncated), java.util.Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> installer.install(manifest, target))
                .isInstanceOf(IntegrityException.class)
                .hasMessageContaining("chunk " + truncated);

        assertThat(target).doesNotExist();
        assertThat(store.has(truncated)).isFalse();
    }

    @Test
    void aFileThatDoesNotMatchItsManifestHashIsRefused() throws IOException {
        Manifest good = sampleRelease();
        List<FileEntry> files = new ArrayList<>(good.files());
        FileEntry first = files.getFirst();
        files.set(0, new FileEntry(first.path(), first.mode(), first.size(), Digest.sha256(new byte[] {9}), first.slices()));
        Manifest lying = new Manifest(good.product(), good.version(), good.channel(), good.createdAt(), good.totalBytes(),
                good.chunks(), files);
        Path target = installs.resolve("1.0");

        assertThatThrownBy(() -> installer.install(lying, target))
                .isInstanceOf(IntegrityException.class)
                .hasMessageContaining("file " + first.path())
                .hasMessageContaining("the manifest says");

        assertThat(target).doesNotExist();
        assertThat(parentEntries()).isEmpty();
    }

    @Test
    void aTargetThatIsAFileOrALinkIsRefused() throws IOException {
        Manifest manifest = sampleRelease();
        Path file = Files.writeString(installs.resolve("file"), "not a folder");
        Path link = Files.createSymbolicLink(installs.resolve("link"), source);

        assertThatThrownBy(() -> installer.install(manifest, file))
                .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("exists and is not a folder");
        assertThatThrownBy(() -> installer.install(manifest, link))
                .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("exists and is not a folder");
        assertThat(Files.readString(file)).isEqualTo("not a folder");
        assertThat(parentEntries()).containsExactly("file", "link");
    }

    @Test
    void aManifestWithAnEscapingPathNeverReachesTheDisk() throws IOException {
        Manifest manifest = sampleRelease();
        String json = new String(manifest.toCanonicalJson(), StandardCharsets.UTF_8).replace("\"bin/app\"", "\"../../escape\"");

        assertThatThrownBy(() -> Manifest.parse(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("bad release path \"../../escape\"");
        assertThat(dir.resolve("escape")).doesNotExist();
    }

    @Test
    void aFileIsWrittenAsSoonAsItsChunksArriveWhileFilesBeforeItStillWait() throws Exception {
        // Forty files: more than the installer has writers, so that waiting in path order would
        // hold the last one behind another.
        int count = 40;
        for (int i = 0; i < count; i++) {
            write(source, String.format("f%02d", i), random(100 + i, 20_000));
        }
        Manifest manifest = publish("2.0");
        FileEntry last = manifest.files().getLast();
        Map<Digest, CompletableFuture<Void>> arrivals = new HashMap<>();
        for (var chunk : manifest.distinctChunks()) {
            arrivals.put(chunk.digest(), new CompletableFuture<>());
        }
        Path target = installs.resolve("2.0");
        CompletableFuture<Void> install = CompletableFuture.runAsync(() -> {
            try {
                installer.install(manifest, target, arrivals::get);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        // The swarm delivers the last file's chunks first (rarest first knows no path order).
        Set<Digest> lastChunks = last.slices().stream().map(ChunkSlice::chunk).collect(Collectors.toSet());
        lastChunks.forEach(d -> arrivals.get(d).complete(null));

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(stagedFile(last.path())).as("the last file, written in the staging folder")
                        .isNotNull().hasSize(last.size()));
        assertThat(install).as("the install, still waiting for the other files' chunks").isNotDone();

        arrivals.values().forEach(f -> f.complete(null));
        install.get(30, TimeUnit.SECONDS);
        Map<String, String> installed = snapshot(target);
        Map<String, String> published = snapshot(source);
        published.put("", installed.get(""));
        assertThat(installed).isEqualTo(published);
    }

    @Test
    void aChunkThatWillNeverArriveFailsTheInstallWithItsReasonAndLeavesNothing() throws IOException {
        write(source, "a/one", random(7, 30_000));
        write(source, "b/two", random(8, 30_000));
        Manifest manifest = publish("3.0");
        IOException gone = new IOException("swarm closed before every chunk arrived");
        Digest first = manifest.files().getFirst().slices().getFirst().chunk();
        ChunkArrivals arrivals = chunk -> chunk.equals(first)
                ? CompletableFuture.failedFuture(gone) : CompletableFuture.completedFuture(null);

        assertThatThrownBy(() -> installer.install(manifest, installs.resolve("3.0"), arrivals)).isSameAs(gone);
        assertThat(parentEntries()).isEmpty();
    }

    /** A file under the install's staging folder, or null while there is none. */
    private Path stagedFile(String path) throws IOException {
        try (Stream<Path> entries = Files.list(installs)) {
            return entries.filter(p -> p.getFileName().toString().contains(".caravan-staging-"))
                    .map(p -> p.resolve(path)).filter(Files::isRegularFile).findFirst().orElse(null);
        }
    }

    @Test
    void anEmptyReleaseInstallsAnEmptyFolder() throws IOException {
        Manifest manifest = publish("0.1");
        installer.install(manifest, installs.resolve("0.1"));
        try (Stream<Path> entries = Files.list(installs.resolve("0.1"))) {
            assertThat(entries).isEmpty();
        }
    }
}
