package dev.caravan.origin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.caravan.origin.server.RawHttpConnection.Response;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The origin over real sockets on 127.0.0.1: methods, headers, keep-alive, limits. */
class OriginServerTest extends LocalOriginTest {
    @Test
    void getsMetadataWithItsHeaders() throws IOException {
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            Response r = c.get("/metadata/timestamp.json");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(repo.timestamp);
            assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(repo.timestamp.length));
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
            assertThat(r.header("Accept-Ranges")).isEqualTo("bytes");
            assertThat(r.header("ETag")).startsWith("\"").endsWith("\"");
            assertThat(r.header("Last-Modified")).endsWith(" GMT");
            assertThat(r.header("Date")).endsWith(" GMT");
        }
    }

    @Test
    void headSendsTheHeadersOfGetAndNoBody() throws IOException {
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            Response get = c.get("/" + TestRepository.chunkPath(repo.chunkDigest));
            Response head = c.head("/" + TestRepository.chunkPath(repo.chunkDigest));
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            for (String name : new String[] {"Content-Length", "Content-Type", "ETag", "Last-Modified", "Cache-Control"}) {
                assertThat(head.header(name)).as(name).isEqualTo(get.header(name));
            }
            // Had HEAD sent a body, this response would be read out of it.
            assertThat(c.get("/metadata/1.root.json").body()).isEqualTo(repo.root1);
        }
    }

    @Test
    void servesManyRequestsOnOneConnection() throws IOException {
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            for (int i = 0; i < 5; i++) {
                Response r = c.get("/metadata/timestamp.json");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("Connection")).isNull();
            }
            assertThat(c.get("/no/such/file").status()).isEqualTo(404);
            assertThat(c.get("/metadata/1.root.json").body()).isEqualTo(repo.root1);
        }
    }

    @Test
    void answersPipelinedRequestsInOrder() throws IOException {
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            String request = "GET /%s HTTP/1.1\r\nHost: o\r\n\r\n";
            c.sendRaw(request.formatted("metadata/1.root.json") + request.formatted("metadata/timestamp.json")
                    + request.formatted(repo.targetPath()));
            assertThat(c.read(false).body()).isEqualTo(repo.root1);
            assertThat(c.read(false).body()).isEqualTo(repo.timestamp);
            assertThat(c.read(false).body()).isEqualTo(repo.manifest);
        }
    }

    @Test
    void closesWhenTheClientAsksTo() throws IOException {
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            Response r = c.get("/metadata/timestamp.json", "Connection: close");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void keepsAnHttp10ConnectionOnlyWhenAsked() throws IOException {
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            c.sendRaw("GET /metadata/timestamp.json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Response r = c.read(false);
            assertThat(r.header("Connection")).isEqualToIgnoringCase("keep-alive");
            c.sendRaw("GET /metadata/timestamp.json HTTP/1.0\r\n\r\n");
            assertThat(c.read(false).body()).isEqualTo(repo.timestamp);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void refusesOtherMethodsWith405AndAllow() throws IOException {
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            c.send("DELETE", "/metadata/timestamp.json");
            Response r = c.read(false);
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("Allow")).isEqualTo("GET, HEAD");
            assertThat(r.header("Content-Type")).startsWith("text/plain");
            assertThat(c.get("/metadata/timestamp.json").status()).isEqualTo(200);
        }
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            c.sendRaw("POST /metadata/timestamp.json HTTP/1.1\r\nHost: o\r\nContent-Length: 5\r\n\r\nhello");
            Response r = c.read(false);
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("Allow")).isEqualTo("GET, HEAD");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void refusesAGetWithContent() throws IOException {
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            c.sendRaw("GET /metadata/timestamp.json HTTP/1.1\r\nHost: o\r\nContent-Length: 3\r\n\r\nabc");
            assertThat(c.read(false).status()).isEqualTo(400);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void refusesOversizedRequestLinesAndHeaders() throws IOException {
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            Response r = c.get("/" + "a".repeat(OriginChannelInitializer.MAX_INITIAL_LINE_BYTES + 10));
            assertThat(r.status()).isEqualTo(414);
        }
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            Response r = c.get("/metadata/timestamp.json", "X-Big: " + "b".repeat(OriginChannelInitializer.MAX_HEADER_BYTES + 10));
            assertThat(r.status()).isEqualTo(431);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void refusesHttp11WithoutHost() throws IOException {
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            c.sendRaw("GET /metadata/timestamp.json HTTP/1.1\r\n\r\n");
            assertThat(c.read(false).status()).isEqualTo(400);
        }
    }

    @Test
    void answersMissingFilesAndDirectoriesWith404() throws IOException {
        repo.write(".tmp-publish-123", new byte[] {1});
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            for (String target : new String[] {"/", "/metadata", "/metadata/", "/chunks//x", "/metadata/2.root.json",
                    "/.tmp-publish-123"}) {
                Response r = c.get(target);
                assertThat(r.status()).as(target).isEqualTo(404);
                assertThat(r.header("Content-Type")).startsWith("text/plain");
                assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
                assertThat(r.text()).contains("404").hasSizeLessThan(200);
            }
        }
    }

    @Test
    void countsBytesSent() throws IOException {
        long before = server.bytesSent();
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            assertThat(c.get("/" + TestRepository.chunkPath(repo.chunkDigest)).body()).isEqualTo(repo.chunk);
        }
        // A write counts when its promise completes on the event loop, which may be just after the client has the bytes.
        await().untilAsserted(() ->
                assertThat(server.bytesSent() - before).isGreaterThan(repo.chunk.length).isLessThan(repo.chunk.length + 1000));
    }

    @Test
    void servesAFileThatChangesSizeBetweenRequests() throws IOException {
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            byte[] longer = Arrays.copyOf(repo.timestamp, repo.timestamp.length + 10);
            repo.write("metadata/timestamp.json", longer);
            assertThat(c.get("/metadata/timestamp.json").body()).isEqualTo(longer);
        }
    }

    @Test
    void startsOnlyOnceAndRefusesAMissingRoot() throws IOException {
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
        try (OriginServer missing = new OriginServer(OriginConfig.plain(dir.resolve("nope"), "127.0.0.1", 0))) {
            assertThatThrownBy(missing::start).isInstanceOf(IOException.class);
        }
        assertThat(server.baseUri().toString()).isEqualTo("http://127.0.0.1:" + address.getPort() + "/");
    }
}
