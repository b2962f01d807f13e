package dev.caravan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.wire.PeerId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerIdFileTest {
    @TempDir
    Path dir;

    @Test
    void theIdDrawnAtTheFirstStartIsKeptForEveryLaterOne() throws IOException {
        Path cache = dir.resolve("cache");
        PeerId first = PeerIdFile.loadOrCreate(cache, new SecureRandom());

        assertThat(PeerIdFile.loadOrCreate(cache, new SecureRandom())).isEqualTo(first);
        assertThat(Files.readString(cache.resolve(PeerIdFile.NAME))).isEqualTo(first + "\n");
        try (var files = Files.list(cache)) {
            assertThat(files).as("no temporary file left").containsExactly(cache.resolve(PeerIdFile.NAME));
        }
    }

    @Test
    void aDamagedFileIsRefusedNamingItNotReplaced() throws IOException {
        Path file = Files.createDirectories(dir.resolve("cache")).resolve(PeerIdFile.NAME);
        Files.writeString(file, "not hex\n");

        assertThatThrownBy(() -> PeerIdFile.loadOrCreate(dir.resolve("cache"), new SecureRandom()))
                .isInstanceOf(IOException.class)
                .hasMessage(file + " does not hold a peer id (32 or 64 hex characters); delete it to draw a new one");
        assertThat(Files.readString(file)).isEqualTo("not hex\n");
    }
}
