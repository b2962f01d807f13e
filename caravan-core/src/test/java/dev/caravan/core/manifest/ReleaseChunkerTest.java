package dev.caravan.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.caravan.core.Digest;
import dev.caravan.core.ReleaseId;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.core.chunk.ChunkingConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseChunkerTest {
    static final ChunkingConfig SMALL = new ChunkingConfig(1024, 4096, 16384);
    static final ReleaseId RELEASE = new ReleaseId("app", "1.0");
    static final Instant NOW = Instant.parse("2026-11-25T10:00:00.123Z");

    @TempDir
    Path dir;
    Path tree;
    ChunkStore store;
    ReleaseChunker chunker;

    @BeforeEach
    void setUp() throws IOException {
        tree = Files.createDirectories(dir.resolve("tree"));
        store = new ChunkStore(dir.resolve("chunks"));
        chunker = new ReleaseChunker(store, SMALL);
    }

    static byte[] random(long seed, int size) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private void write(String path, byte[] data) throws IOException {
        Path file = tree.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, data);
    }

    private byte[] reassemble(FileEntry file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ChunkSlice slice : file.slices()) {
            out.write(store.read(slice.chunk()), slice.offset(), slice.length());
        }
        return out.toByteArray();
    }

    @Test
    void aTreeBecomesAManifestWhoseChunksRebuildEveryFile() throws IOException {
        write("b/big.bin", random(1, 100_000));
        write("a.txt", "hello".getBytes());
        write("b/empty", new byte[0]);
        write("b/c/d/deep.bin", random(2, 5000));
        write("run.sh", "#!/bin/sh\necho hi\n".getBytes());
        Files.setPosixFilePermissions(tree.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createDirectories(tree.resolve("empty-folder"));

        ReleaseChunker.Result result = chunker.chunk(tree, RELEASE, "stable", NOW);
        Manifest manifest = result.manifest();

        assertThat(manifest.files()).extracting(FileEntry::path).containsExactly("a.txt", "b/big.bin", "b/c/d/deep.bin", "b/empty", "run.sh");
        assertThat(manifest.files()).extracting(FileEntry::mode).containsExactly(0644, 0644, 0644, 0644, 0755);
        assertThat(manifest.createdAt()).isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
        assertThat(manifest.totalBytes()).isEqualTo(5 + 100_000 + 5000 + 0 + 18);
        assertThat(manifest.files().get(3).slices()).isEmpty();
        for (FileEntry file : manifest.files()) {
            byte[] bytes = Files.readAllBytes(tree.resolve(file.path()));
            assertThat(file.size()).isEqualTo(bytes.length);
            assertThat(file.sha256()).isEqualTo(Digest.sha256(bytes));
            assertThat(reassemble(file)).isEqualTo(bytes);
        }
        assertThat(result.newChunks()).isEqualTo(manifest.distinctChunks().size());
        assertThat(result.newBytes()).isEqualTo(manifest.distinctChunks().stream().mapToLong(ChunkInfo::size).sum());
        assertThat(Manifest.parse(manifest.toCanonicalJson())).isEqualTo(manifest);
    }

    @Test
    void publishingUnchangedContentStoresNothingNew() throws IOException {
        write("x/one.bin", random(3, 70_000));
        write("x/two.bin", random(4, 30_000));
        Manifest first = chunker.chunk(tree, RELEASE, "stable", NOW).manifest();

        ReleaseChunker.Result again = chunker.chunk(tree, new ReleaseId("app", "1.1"), "stable", NOW.plusSeconds(60));

        assertThat(again.newChunks()).isZero();
        assertThat(again.newBytes()).isZero();
        assertThat(again.manifest().chunks()).isEqualTo(first.chunks());
        assertThat(again.manifest().files()).isEqualTo(first.files());
    }

    @Test
    void aSmallEditStoresOnlyAFewChunks() throws IOException {
        byte[] big = random(5, 400_000);
        write("big.bin", big);
        Manifest first = chunker.chunk(tree, RELEASE, "stable", NOW).manifest();
        big[200_000] ^= 0x55;
        write("big.bin", big);

        ReleaseChunker.Result second = chunker.chunk(tree, new ReleaseId("app", "1.1"), "stable", NOW);

        assertThat(first.chunks()).hasSizeGreaterThan(40);
        assertThat(second.newChunks()).isBetween(1, 2);
    }

    @Test
    void aSingleFileIsAReleaseOfOneFile() throws IOException {
        write("tool.bin", random(6, 20_000));
        Manifest manifest = chunker.chunk(tree.resolve("tool.bin"), RELEASE, "stable", NOW).manifest();
        assertThat(manifest.files()).singleElement().satisfies(f -> {
            assertThat(f.path()).isEqualTo("tool.bin");
            assertThat(f.size()).isEqualTo(20_000);
        });
    }

    @Test
    void anEmptyFolderIsAnEmptyRelease() throws IOException {
        Manifest manifest = chunker.chunk(tree, RELEASE, "stable", NOW).manifest();
        assertThat(manifest.files()).isEmpty();
        assertThat(manifest.chunks()).isEmpty();
        assertThat(manifest.totalBytes()).isZero();
    }

    @Test
    void aSymbolicLinkIsRefusedByName() throws IOException {
        write("a/real.txt", "x".getBytes());
        Path link = Files.createSymbolicLink(tree.resolve("a/link"), Files.writeString(dir.resolve("outside.txt"), "secret"));

        assertThatThrownBy(() -> chunker.chunk(tree, RELEASE, "stable", NOW))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(link.getFileName().toString())
                .hasMessageContaining("symbolic link");
    }

    @Test
    void aLinkToAFolderIsRefusedToo() throws IOException {
        Files.createDirectories(dir.resolve("elsewhere"));
        Files.createSymbolicLink(tree.resolve("dirlink"), dir.resolve("elsewhere"));

        assertThatThrownBy(() -> chunker.chunk(tree, RELEASE, "stable", NOW))
                .isInstanceOf(IOException.class).hasMessageContaining("dirlink").hasMessageContaining("symbolic link");
    }

    @Test
    void aFifoIsRefusedByName() throws IOException, InterruptedException {
        Path fifo = tree.resolve("pipe");
        int exit;
        try {
            exit = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor();
        } catch (IOException e) {
            exit = -1;
        }
        assumeThat(exit).as("mkfifo available").isZero();

        assertThatThrownBy(() -> chunker.chunk(tree, RELEASE, "stable", NOW))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(fifo.toString())
                .hasMessageContaining("special file");
    }

    @Test
    void aFileNameThatIsNotAValidReleasePathIsRefused() throws IOException {
        write("back\\slash", "x".getBytes());
        assertThatThrownBy(() -> chunker.chunk(tree, RELEASE, "stable", NOW))
                .isInstanceOf(IOException.class).hasMessageContaining("back\\slash").hasMessageContaining("backslash");
    }

    @Test
    void aFileThatChangesWhileItIsReadFailsThePublish() throws IOException {
        write("grew.bin", random(7, 3000));
        write("shrank.bin", random(8, 3000));
        ReleaseStream grew = new ReleaseStream(java.util.List.of(new ReleaseStream.SourceFile("grew.bin", tree.resolve("grew.bin"), 2000, false)));
        ReleaseStream shrank = new ReleaseStream(java.util.List.of(new ReleaseStream.SourceFile("shrank.bin", tree.resolve("shrank.bin"), 4000, false)));

        assertThatThrownBy(() -> grew.readAllBytes())
                .isInstanceOf(IOException.class).hasMessageContaining("grew.bin changed while it was being published: it is longer than the 2000 bytes");
        assertThatThrownBy(() -> shrank.readAllBytes())
                .isInstanceOf(IOException.class).hasMessageContaining("shrank.bin changed while it was being published: it is shorter than the 4000 bytes");
    }
}
