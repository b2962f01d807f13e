package dev.caravan.origin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.core.Digest;
import dev.caravan.origin.client.OriginClient;
import dev.caravan.origin.client.OriginClientConfig;
import dev.caravan.origin.server.RawHttpConnection.Response;
import dev.caravan.testkit.Nginx;
import dev.caravan.tuf.RemoteFetcher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same repository folder served by a real nginx, as DESIGN.md promises: the origin client
 * fetches metadata, chunks and ranges from it, 404 means not found, and nginx sends the same
 * cache rules as {@link OriginServer}, with the server block users are given
 * ({@link Nginx#SERVER_BLOCK}). Needs nginx at /usr/sbin/nginx (or {@code -Dnginx=PATH});
 * run with {@code -Psystem}.
 */
@Tag("system")
class NginxOriginSystemTest {
    @TempDir
    Path dir;
    TestRepository repo;
    Nginx nginx;
    String base;
    InetSocketAddress address;

    @BeforeEach
    void startNginx() throws IOException {
        repo = new TestRepository(dir);
        nginx = Nginx.serve(repo.root, dir.resolve("nginx"));
        address = new InetSocketAddress(InetAddress.getLoopbackAddress(), nginx.port());
        base = nginx.baseUrl() + "/";
    }

    @AfterEach
    void stopNginx() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void originClientFetchesFromNginx() throws Exception {
        try (OriginClient client = new OriginClient(OriginClientConfig.defaults().withIoThreads(1))) {
            assertThat(client.fetch(base + "metadata/timestamp.json", 1024)).isEqualTo(repo.timestamp);
            assertThat(client.fetch(base + "metadata/1.root.json", 1024)).isEqualTo(repo.root1);
            assertThat(client.fetch(base + repo.targetPath(), 1024)).isEqualTo(repo.manifest);
            String chunk = base + TestRepository.chunkPath(repo.chunkDigest);
            assertThat(client.fetch(chunk, repo.chunk.length)).isEqualTo(repo.chunk);
            assertThat(client.fetchRange(chunk, 1000, 5000)).isEqualTo(Arrays.copyOfRange(repo.chunk, 1000, 6000));
            assertThat(client.fetchRange(chunk, repo.chunk.length - 10, 100))
                    .isEqualTo(Arrays.copyOfRange(repo.chunk, repo.chunk.length - 10, repo.chunk.length));
            assertThatThrownBy(() -> client.fetch(base + "metadata/2.root.json", 1024))
                    .isInstanceOf(RemoteFetcher.NotFoundException.class);
            assertThatThrownBy(() -> client.fetch(chunk, 10)).isInstanceOf(RemoteFetcher.TooLargeException.class);
        }
    }

    @Test
    void manyChunksInParallelOverKeepAlive() throws Exception {
        List<byte[]> chunks = new ArrayList<>();
        Random random = new Random(11);
        for (int i = 0; i < 30; i++) {
            byte[] bytes = new byte[50_000 + random.nextInt(300_000)];
            random.nextBytes(bytes);
            chunks.add(bytes);
            repo.write(TestRepository.chunkPath(Digest.sha256(bytes)), bytes);
        }
        try (OriginClient client = new OriginClient(OriginClientConfig.defaults().withIoThreads(1))) {
            List<CompletableFuture<byte[]>> futures = new ArrayList<>();
            for (byte[] bytes : chunks) {
                futures.add(client.fetchAsync(base + TestRepository.chunkPath(Digest.sha256(bytes)), 1 << 20));
            }
            for (int i = 0; i < chunks.size(); i++) {
                assertThat(futures.get(i).get()).isEqualTo(chunks.get(i));
            }
        }
    }

    @Test
    void nginxSendsTheSameCacheRulesAsTheOrigin() throws IOException {
        try (OriginServer origin = new OriginServer(OriginConfig.plain(repo.root, "127.0.0.1", 0).withWorkerThreads(1))) {
            InetSocketAddress ours = origin.start();
            try (RawHttpConnection a = new RawHttpConnection(ours); RawHttpConnection b = new RawHttpConnection(address)) {
                for (String path : List.of("/metadata/timestamp.json", "/metadata/1.root.json", "/" + repo.targetPath(),
                        "/" + TestRepository.chunkPath(repo.chunkDigest))) {
                    Response fromOrigin = a.get(path);
                    Response fromNginx = b.get(path);
                    assertThat(fromNginx.status()).as(path).isEqualTo(200);
                    assertThat(fromNginx.body()).as(path).isEqualTo(fromOrigin.body());
                    for (String header : List.of("Cache-Control", "Content-Type", "Content-Length", "Accept-Ranges")) {
                        assertThat(fromNginx.header(header)).as(path + " " + header).isEqualTo(fromOrigin.header(header));
                    }
                    assertThat(fromNginx.header("ETag")).as(path).isNotNull();
                    String etag = fromNginx.header("ETag");
                    assertThat(b.get(path, "If-None-Match: " + etag).status()).as(path).isEqualTo(304);
                }
                assertThat(b.get("/metadata/").status()).isIn(403, 404);
                assertThat(b.get("/../outside/secret.txt").text()).doesNotContain(TestRepository.SECRET);
            }
        }
    }

    @Test
    void nginxSendsThePublishersGzipCopiesAsTheOriginDoes() throws Exception {
        byte[] targets = ("{\"signed\":{\"targets\":{" + "\"demo-1.0.manifest.json\":{\"length\":1234},".repeat(500) + "}}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        repo.write("metadata/2.targets.json", targets);
        repo.write("metadata/2.targets.json.gz", TestRepository.gzip(targets));
        try (OriginServer origin = new OriginServer(OriginConfig.plain(repo.root, "127.0.0.1", 0).withWorkerThreads(1))) {
            InetSocketAddress ours = origin.start();
            try (RawHttpConnection a = new RawHttpConnection(ours); RawHttpConnection b = new RawHttpConnection(address)) {
                for (String accept : List.of("Accept-Encoding: gzip", "Accept-Encoding: identity")) {
                    Response fromOrigin = a.get("/metadata/2.targets.json", accept);
                    Response fromNginx = b.get("/metadata/2.targets.json", accept);
                    assertThat(fromNginx.status()).as(accept).isEqualTo(200);
                    assertThat(fromNginx.body()).as(accept).isEqualTo(fromOrigin.body());
                    for (String header : List.of("Content-Encoding", "Content-Length", "Content-Type", "Cache-Control")) {
                        assertThat(fromNginx.header(header)).as(accept + " " + header).isEqualTo(fromOrigin.header(header));
                    }
                    assertThat(fromNginx.header("Vary")).as(accept).isEqualToIgnoringCase(fromOrigin.header("Vary"));
                }
            }
        }
        try (OriginClient client = new OriginClient(OriginClientConfig.defaults().withIoThreads(1))) {
            assertThat(client.fetch(base + "metadata/2.targets.json", targets.length)).isEqualTo(targets);
            assertThat(client.bytesReceived()).isLessThan(targets.length / 4);
        }
    }

    @Test
    void nginxRefusesASymbolicLinkOutOfTheRepository() throws IOException {
        Files.createSymbolicLink(repo.root.resolve("chunks/leak"), repo.outside.resolve("secret.txt"));
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            Response r = c.get("/chunks/leak");
            assertThat(r.status()).isIn(403, 404);
            assertThat(r.text()).doesNotContain(TestRepository.SECRET);
        }
    }
}
