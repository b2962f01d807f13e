package dev.caravan.origin.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.Digest;
import dev.caravan.origin.server.OriginConfig;
import dev.caravan.origin.server.OriginServer;
import dev.caravan.origin.server.TestCertificates;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file far larger than any buffer, end to end: sendfile on plain HTTP, 64 KiB pieces over TLS. */
class LargeFileTest {

    @TempDir
    Path dir;

    @Test
    void fetches64MiBOverPlainHttp() throws IOException {
        Path repo = Files.createDirectories(dir.resolve("repo/chunks"));
        Digest expected = writeRandom(repo.resolve("big"), 64 << 20);
        try (OriginServer server = new OriginServer(OriginConfig.plain(dir.resolve("repo"), "127.0.0.1", 0).withWorkerThreads(1));
                OriginClient client = new OriginClient(OriginClientConfig.defaults().withIoThreads(1))) {
            server.start();
            byte[] bytes = client.fetch(server.baseUri() + "chunks/big", 64 << 20);
            assertThat(bytes).hasSize(64 << 20);
            assertThat(Digest.sha256(bytes)).isEqualTo(expected);
        }
    }

    @Test
    void fetches16MiBOverTls() throws IOException {
        Path repo = Files.createDirectories(dir.resolve("repo/chunks"));
        Digest expected = writeRandom(repo.resolve("big"), 16 << 20);
        TestCertificates certificates = TestCertificates.create(dir.resolve("pki"), "localhost", "127.0.0.1");
        try (OriginServer server = new OriginServer(OriginConfig.plain(dir.resolve("repo"), "127.0.0.1", 0)
                        .withWorkerThreads(1)
                        .withTls(certificates.serverCertificatePem(), certificates.serverKeyPem()));
                OriginClient client = new OriginClient(
                        OriginClientConfig.defaults().withIoThreads(1).withTrustedCaPem(certificates.caPem()))) {
            server.start();
            byte[] bytes = client.fetch(server.baseUri() + "chunks/big", 16 << 20);
            assertThat(Digest.sha256(bytes)).isEqualTo(expected);
        }
    }

    private static Digest writeRandom(Path file, int size) throws IOException {
        MessageDigest sha256 = Digest.newSha256();
        Random random = new Random(size);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                sha256.update(block);
                out.write(block);
            }
        }
        return Digest.ofBytes(sha256.digest());
    }
}
