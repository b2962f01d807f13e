package dev.caravan.origin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OriginConfigTest {

    @TempDir
    Path dir;

    @Test
    void namesTheBadSettingAndValue() {
        OriginConfig ok = OriginConfig.plain(dir, "127.0.0.1", 0);
        assertThatThrownBy(() -> OriginConfig.plain(dir, "127.0.0.1", 70_000))
                .hasMessageContaining("port").hasMessageContaining("70000");
        assertThatThrownBy(() -> OriginConfig.plain(dir, " ", 80)).hasMessageContaining("bindHost");
        assertThatThrownBy(() -> ok.withUploadRateBytesPerSecond(-5))
                .hasMessageContaining("uploadRateBytesPerSecond").hasMessageContaining("-5");
        assertThatThrownBy(() -> ok.withWorkerThreads(0)).hasMessageContaining("workerThreads").hasMessageContaining("0");
        assertThatThrownBy(() -> ok.withIdleTimeout(Duration.ZERO)).hasMessageContaining("idleTimeout");
        assertThatThrownBy(() -> new OriginConfig(dir, "h", 1, dir.resolve("cert.pem"), null, 0, 1, Duration.ofSeconds(1)))
                .hasMessageContaining("tlsPrivateKeyPem");
        assertThat(ok.tls()).isFalse();
        assertThat(ok.withTls(dir.resolve("c"), dir.resolve("k")).tls()).isTrue();
    }

    @Test
    void failsToStartWithUnreadableTlsFiles() throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "junk");
        Path key = Files.writeString(dir.resolve("key.pem"), "junk");
        try (OriginServer server = new OriginServer(OriginConfig.plain(dir, "127.0.0.1", 0).withTls(cert, key))) {
            assertThatThrownBy(server::start).isInstanceOf(IOException.class).hasMessageContaining("tlsCertificatePem");
        }
    }
}
