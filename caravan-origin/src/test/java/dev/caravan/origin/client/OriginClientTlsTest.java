package dev.caravan.origin.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.origin.server.OriginConfig;
import dev.caravan.origin.server.OriginServer;
import dev.caravan.origin.server.TestCertificates;
import dev.caravan.origin.server.TestRepository;
import dev.caravan.tuf.RemoteFetcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS between the origin and the client, with a CA and a server certificate made here. */
class OriginClientTlsTest {

    @TempDir
    Path dir;
    TestRepository repo;
    TestCertificates certificates;
    OriginServer server;
    String base;

    @BeforeEach
    void start() throws IOException {
        repo = new TestRepository(dir);
        certificates = TestCertificates.create(dir.resolve("pki"), "localhost", "127.0.0.1");
        server = new OriginServer(OriginConfig.plain(repo.root, "127.0.0.1", 0)
                .withWorkerThreads(1)
                .withTls(certificates.serverCertificatePem(), certificates.serverKeyPem()));
        server.start();
        base = server.baseUri().toString();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void fetchesOverTlsTrustingTheGivenCa() throws IOException {
        assertThat(base).startsWith("https://127.0.0.1:");
        try (OriginClient client = trusting(certificates.caPem())) {
            assertThat(client.fetch(base + "metadata/timestamp.json", 1024)).isEqualTo(repo.timestamp);
            String chunk = base + TestRepository.chunkPath(repo.chunkDigest);
            assertThat(client.fetch(chunk, repo.chunk.length)).isEqualTo(repo.chunk);
            assertThat(client.fetchRange(chunk, 100, 1000)).isEqualTo(Arrays.copyOfRange(repo.chunk, 100, 1100));
            assertThatThrownBy(() -> client.fetch(base + "nothing", 10)).isInstanceOf(RemoteFetcher.NotFoundException.class);
            String byName = "https://localhost:" + server.address().getPort() + "/metadata/1.root.json";
            assertThat(client.fetch(byName, 1024)).isEqualTo(repo.root1);
            assertThat(client.bytesReceived()).isGreaterThan(repo.chunk.length);
        }
        assertThat(server.bytesSent()).isGreaterThan(repo.chunk.length);
    }

    @Test
    void refusesAServerTheClientDoesNotTrust() throws IOException {
        TestCertificates other = TestCertificates.create(dir.resolve("other"), "localhost", "127.0.0.1");
        String url = base + "metadata/timestamp.json";
        try (OriginClient client = trusting(other.caPem())) {
            assertThatThrownBy(() -> client.fetch(url, 1024)).isInstanceOf(IOException.class).hasMessageContaining(url);
        }
        try (OriginClient client = new OriginClient(OriginClientConfig.defaults().withIoThreads(1))) {
            assertThatThrownBy(() -> client.fetch(url, 1024)).isInstanceOf(IOException.class).hasMessageContaining(url);
        }
    }

    @Test
    void refusesACertificateForAnotherName() throws IOException {
        TestCertificates wrongName = TestCertificates.create(dir.resolve("wrong"), "origin.example.com");
        try (OriginServer impostor = new OriginServer(OriginConfig.plain(repo.root, "127.0.0.1", 0)
                        .withWorkerThreads(1)
                        .withTls(wrongName.serverCertificatePem(), wrongName.serverKeyPem()));
                OriginClient client = trusting(wrongName.caPem())) {
            impostor.start();
            String url = impostor.baseUri() + "metadata/timestamp.json";
            assertThatThrownBy(() -> client.fetch(url, 1024)).isInstanceOf(IOException.class).hasMessageContaining(url);
        }
    }

    @Test
    void refusesAnUnreadableCaFile() throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate");
        assertThatThrownBy(() -> trusting(junk)).isInstanceOf(IOException.class).hasMessageContaining("junk.pem");
    }

    private static OriginClient trusting(Path caPem) throws IOException {
        return new OriginClient(OriginClientConfig.defaults().withIoThreads(1).withTrustedCaPem(caPem));
    }
}
