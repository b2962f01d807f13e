package dev.caravan.origin.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.core.Digest;
import dev.caravan.origin.server.OriginConfig;
import dev.caravan.origin.server.OriginServer;
import dev.caravan.origin.server.TestRepository;
import dev.caravan.tuf.RemoteFetcher;
import java.io.IOException;
import java.net.MalformedURLException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against the real origin over 127.0.0.1. */
class OriginClientTest {

    @TempDir
    Path dir;
    TestRepository repo;
    OriginServer server;
    OriginClient client;
    String base;

    @BeforeEach
    void start() throws IOException {
        repo = new TestRepository(dir);
        server = new OriginServer(OriginConfig.plain(repo.root, "127.0.0.1", 0).withWorkerThreads(1));
        server.start();
        base = server.baseUri().toString();
        client = new OriginClient(OriginClientConfig.defaults().withIoThreads(1));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void fetchesWholeFiles() throws IOException {
        assertThat(client.fetch(base + "metadata/timestamp.json", 1024)).isEqualTo(repo.timestamp);
        assertThat(client.fetch(base + TestRepository.chunkPath(repo.chunkDigest), repo.chunk.length)).isEqualTo(repo.chunk);
        assertThat(client.fetch(base + repo.targetPath(), 1 << 20)).isEqualTo(repo.manifest);
        assertThat(client.bytesReceived()).isGreaterThan(repo.chunk.length);
    }

    @Test
    void fetchesAnEmptyFile() throws IOException {
        repo.write("metadata/empty.json", new byte[0]);
        assertThat(client.fetch(base + "metadata/empty.json", 0)).isEmpty();
    }

    @Test
    void reusesOneKeepAliveConnectionForSequentialRequests() throws IOException {
        for (int i = 0; i < 20; i++) {
            client.fetch(base + "metadata/timestamp.json", 1024);
        }
        assertThatThrownBy(() -> client.fetch(base + "metadata/404.json", 1024)).isInstanceOf(RemoteFetcher.NotFoundException.class);
        client.fetch(base + "metadata/1.root.json", 1024);
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void fetchesManyFilesInParallelOverAFewConnections() throws Exception {
        List<byte[]> contents = new ArrayList<>();
        List<CompletableFuture<byte[]>> futures = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < 40; i++) {
            byte[] bytes = new byte[random.nextInt(200_000)];
            random.nextBytes(bytes);
            contents.add(bytes);
            repo.write(TestRepository.chunkPath(Digest.sha256(bytes)), bytes);
        }
        for (byte[] bytes : contents) {
            futures.add(client.fetchAsync(base + TestRepository.chunkPath(Digest.sha256(bytes)), bytes.length));
        }
        for (int i = 0; i < contents.size(); i++) {
            assertThat(futures.get(i).get()).isEqualTo(contents.get(i));
        }
        assertThat(server.connectionsAccepted()).isBetween(1L, (long) OriginClientConfig.DEFAULT_MAX_CONNECTIONS_PER_HOST);
    }

    @Test
    void mapsMissingFilesToNotFound() {
        String url = base + "metadata/2.root.json";
        assertThatThrownBy(() -> client.fetch(url, 1024))
                .isInstanceOf(RemoteFetcher.NotFoundException.class)
                .hasMessageContaining(url);
    }

    @Test
    void refusesFilesOverTheCapByContentLength() throws IOException {
        String url = base + TestRepository.chunkPath(repo.chunkDigest);
        assertThatThrownBy(() -> client.fetch(url, repo.chunk.length - 1))
                .isInstanceOf(RemoteFetcher.TooLargeException.class)
                .hasMessageContaining(url);
        assertThat(client.fetch(url, repo.chunk.length)).isEqualTo(repo.chunk);
        assertThat(server.connectionsAccepted()).isEqualTo(2); // the first connection was dropped
    }

    @Test
    void namesTheStatusAndUrlOfOtherErrors() {
        String url = base + "metadata/%2e%2e";
        assertThatThrownBy(() -> client.fetch(url, 1024))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(RemoteFetcher.NotFoundException.class)
                .hasMessageContaining("400")
                .hasMessageContaining(url);
    }

    @Test
    void fetchesByteRanges() throws IOException {
        String url = base + TestRepository.chunkPath(repo.chunkDigest);
        int size = repo.chunk.length;
        assertThat(client.fetchRange(url, 10, 20)).isEqualTo(Arrays.copyOfRange(repo.chunk, 10, 30));
        assertThat(client.fetchRange(url, 0, size)).isEqualTo(repo.chunk);
        assertThat(client.fetchRange(url, size - 5, 100)).isEqualTo(Arrays.copyOfRange(repo.chunk, size - 5, size));
        assertThatThrownBy(() -> client.fetchRange(url, size, 10))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("416")
                .hasMessageContaining(url);
        assertThat(client.fetchRange(url, 1, 1)).containsExactly(repo.chunk[1]);
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void refusesBadUrlsAndArguments() {
        assertThatThrownBy(() -> client.fetch("ftp://h/x", 1)).isInstanceOf(MalformedURLException.class);
        assertThatThrownBy(() -> client.fetch("http://", 1)).isInstanceOf(MalformedURLException.class);
        assertThatThrownBy(() -> client.fetch("not a url", 1)).isInstanceOf(MalformedURLException.class);
        assertThatThrownBy(() -> client.fetch(base, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.fetchRange(base, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void failsToConnectNamingTheUrl() throws IOException {
        String url;
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
            url = "http://127.0.0.1:" + closed.getLocalPort() + "/metadata/timestamp.json";
        }
        assertThatThrownBy(() -> client.fetch(url, 1024))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot connect")
                .hasMessageContaining(url);
    }

    @Test
    void failsAfterItIsClosed() {
        client.close();
        assertThatThrownBy(() -> client.fetch(base + "metadata/timestamp.json", 1024))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void fetchesThroughAnUploadCap() throws IOException {
        byte[] big = new byte[3 << 20];
        new Random(3).nextBytes(big);
        repo.write("chunks/big", big);
        try (OriginServer capped = new OriginServer(OriginConfig.plain(repo.root, "127.0.0.1", 0)
                .withWorkerThreads(1)
                .withUploadRateBytesPerSecond(20_000_000))) {
            capped.start();
            assertThat(client.fetch(capped.baseUri() + "chunks/big", big.length)).isEqualTo(big);
            assertThat(client.fetchRange(capped.baseUri() + "chunks/big", 5, 10)).isEqualTo(Arrays.copyOfRange(big, 5, 15));
            assertThat(capped.bytesSent()).isGreaterThan(big.length);
        }
    }
}
