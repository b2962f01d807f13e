package dev.caravan.origin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.caravan.core.Digest;
import dev.caravan.origin.client.OriginClient;
import dev.caravan.origin.client.OriginClientConfig;
import dev.caravan.origin.server.RawHttpConnection.Response;
import dev.caravan.tuf.RemoteFetcher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same repository folder served by a real nginx, as DESIGN.md promises: the origin client
 * fetches metadata, chunks and ranges from it, 404 means not found, and nginx sends the same
 * cache rules as {@link OriginServer}. Needs nginx at /usr/sbin/nginx (or {@code -Dnginx=PATH});
 * run with {@code -Psystem}.
 */
@Tag("system")
class NginxOriginSystemTest {

    /** The server block of docs: the cache rules of {@link ServedFile} in nginx terms. */
    static final String SERVER_BLOCK = """
                server {
                    listen      %s;
                    root        %s;
                    etag        on;
                    autoindex   off;
                    # the publisher writes no symbolic links: refuse them all below the root
                    disable_symlinks on from=$document_root;

                    # dot-files: the publisher's temporary files while it writes
                    location ~ /\\. { return 404; }
                    # consistent-snapshot metadata (N.root.json, N.snapshot.json, N.targets.json, ...)
                    location ~ "^/metadata/[0-9]+\\.[^/]+\\.json$" {
                        add_header Cache-Control "public, max-age=31536000, immutable";
                    }
                    # hash-prefixed targets (manifests)
                    location ~ "^/targets/(.*/)?([0-9a-f]{64}|[0-9a-f]{128})\\.[^/]+$" {
                        add_header Cache-Control "public, max-age=31536000, immutable";
                    }
                    # content-addressed chunks
                    location /chunks/ {
                        add_header Cache-Control "public, max-age=31536000, immutable";
                    }
                    # timestamp.json and anything else that changes in place
                    location / {
                        add_header Cache-Control "no-cache";
                    }
                }
            """;

    @TempDir
    Path dir;
    TestRepository repo;
    Process nginx;
    Path errorLog;
    String base;
    InetSocketAddress address;

    @BeforeEach
    void startNginx() throws IOException {
        Path binary = Path.of(System.getProperty("nginx", "/usr/sbin/nginx"));
        if (!Files.isExecutable(binary)) {
            fail("nginx not found at " + binary + ": install it (apt-get install -y nginx; .ci/run does) or pass -Dnginx=PATH");
        }
        repo = new TestRepository(dir);
        Path prefix = Files.createDirectories(dir.resolve("nginx"));
        errorLog = prefix.resolve("error.log");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path conf = Files.writeString(prefix.resolve("nginx.conf"), """
                # one process as the user running the test: no user switch, no pid in /run
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    types { application/json json; }
                    default_type application/octet-stream;
                    sendfile on;
                    tcp_nopush on;
                    keepalive_timeout 60s;
                    keepalive_requests 10000;
                %2$s
                }
                """.formatted(prefix, SERVER_BLOCK.formatted("127.0.0.1:" + port, repo.root)));
        nginx = new ProcessBuilder(binary.toString(), "-p", prefix.toString(), "-c", conf.toString(), "-e", errorLog.toString())
                .redirectErrorStream(true)
                .redirectOutput(prefix.resolve("stdout.log").toFile())
                .start();
        address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            if (!nginx.isAlive()) {
                fail("nginx exited with " + nginx.exitValue() + ": " + Files.readString(prefix.resolve("stdout.log"))
                        + (Files.exists(errorLog) ? Files.readString(errorLog) : ""));
            }
            try (Socket probe = new Socket(address.getAddress(), port)) {
                return probe.isConnected();
            } catch (IOException e) {
                return false;
            }
        });
        base = "http://127.0.0.1:" + port + "/";
    }

    @AfterEach
    void stopNginx() throws Exception {
        if (nginx != null) {
            nginx.destroy();
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
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
    void nginxRefusesASymbolicLinkOutOfTheRepository() throws IOException {
        Files.createSymbolicLink(repo.root.resolve("chunks/leak"), repo.outside.resolve("secret.txt"));
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            Response r = c.get("/chunks/leak");
            assertThat(r.status()).isIn(403, 404);
            assertThat(r.text()).doesNotContain(TestRepository.SECRET);
        }
    }
}
