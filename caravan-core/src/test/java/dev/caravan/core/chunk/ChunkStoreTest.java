package dev.caravan.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.core.Digest;
import dev.caravan.core.IntegrityException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkStoreTest {
    @TempDir
    Path dir;

    final byte[] data = "the bytes of a chunk".getBytes(StandardCharsets.UTF_8);
    final Digest digest = Digest.sha256(data);

    @Test
    void aStoredChunkReadsBackUnderItsName() throws IOException {
        ChunkStore store = new ChunkStore(dir.resolve("chunks"));

        assertThat(store.has(digest)).isFalse();
        assertThat(store.put(digest, data)).isTrue();

        assertThat(store.has(digest)).isTrue();
        assertThat(store.read(digest)).isEqualTo(data);
        assertThat(store.size(digest)).isEqualTo(data.length);
        assertThat(store.path(digest)).isEqualTo(dir.resolve("chunks").resolve(digest.hex().substring(0, 2)).resolve(digest.hex()));
        assertThat(Files.readAllBytes(store.path(digest))).isEqualTo(data);
    }

    @Test
    void theTemporaryFilesOfWritesCutShortAreRemovedAndNothingElse() throws IOException {
        ChunkStore store = new ChunkStore(dir);
        store.put(digest, data);
        Path folder = store.path(digest).getParent();
        // What a process killed between creating its temporary file and renaming it leaves behind.
        Path stray = Files.write(folder.resolve("." + digest.hex() + ".0123456789abcdef.tmp"), new byte[] {1, 2});
        Path someoneElses = Files.writeString(folder.resolve("notes.txt"), "not the store's");

        assertThat(store.removeStrays()).isEqualTo(1);

        assertThat(stray).doesNotExist();
        assertThat(someoneElses).exists();
        assertThat(store.read(digest)).isEqualTo(data);
    }

    @Test
    void puttingAChunkAgainChangesNothing() throws IOException {
        ChunkStore store = new ChunkStore(dir);
        store.put(digest, data);
        assertThat(store.put(digest, data)).isFalse();
        assertThat(store.read(digest)).isEqualTo(data);
    }

    @Test
    void bytesThatDoNotMatchTheirNameAreRefused() throws IOException {
        ChunkStore store = new ChunkStore(dir);
        Digest other = Digest.sha256(new byte[] {1});

        assertThatThrownBy(() -> store.put(other, data))
                .isInstanceOf(IntegrityException.class)
                .hasMessageContaining("chunk " + other)
                .hasMessageContaining(digest.hex());
        assertThat(store.has(other)).isFalse();
        assertThat(filesUnder(dir)).isEmpty();
    }

    @Test
    void aChunkCorruptedOnDiskIsReportedAndRemoved() throws IOException {
        ChunkStore store = new ChunkStore(dir);
        store.put(digest, data);
        byte[] corrupt = data.clone();
        corrupt[3] ^= 1;
        Files.write(store.path(digest), corrupt);

        assertThatThrownBy(() -> store.read(digest))
                .isInstanceOf(IntegrityException.class)
                .hasMessageContaining("chunk " + digest)
                .hasMessageContaining(store.path(digest).toString())
                .hasMessageContaining("corrupt");
        assertThat(store.has(digest)).isFalse();

        store.put(digest, data);
        assertThat(store.read(digest)).isEqualTo(data);
    }

    @Test
    void aMissingChunkIsNamed() throws IOException {
        ChunkStore store = new ChunkStore(dir);
        assertThatThrownBy(() -> store.read(digest))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("chunk " + digest + " is not in the store");
        assertThatThrownBy(() -> store.size(digest)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void noTemporaryFilesAreLeftBehind() throws IOException {
        ChunkStore store = new ChunkStore(dir);
        for (int i = 0; i < 20; i++) {
            byte[] bytes = ("chunk " + i).getBytes(StandardCharsets.UTF_8);
            store.put(Digest.sha256(bytes), bytes);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile))
                    .hasSize(20)
                    .allSatisfy(f -> assertThat(f.getFileName().toString()).matches("[0-9a-f]{64}"));
        }
    }

    @Test
    void anEmptyChunkIsStoredLikeAnyOther() throws IOException {
        ChunkStore store = new ChunkStore(dir);
        Digest empty = Digest.sha256(new byte[0]);
        store.put(empty, new byte[0]);
        assertThat(store.read(empty)).isEmpty();
        assertThat(store.delete(empty)).isTrue();
        assertThat(store.has(empty)).isFalse();
    }

    private static java.util.List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
