package dev.caravan.origin.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.origin.server.OriginConfig;
import dev.caravan.origin.server.OriginServer;
import dev.caravan.origin.server.TestRepository;
import dev.caravan.tuf.RemoteFetcher;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole files come gzip-compressed where the origin has a copy, and are handed over inflated, under the caller's cap. */
class GzipBodyTest {

    @TempDir
    Path dir;
    OriginClient client;

    @BeforeEach
    void start() throws IOException {
        client = new OriginClient(OriginClientConfig.defaults().withIoThreads(1));
    }

    @AfterEach
    void stop() {
        client.close();
    }

    @Test
    void getsTheGzipCopyFromTheOriginAndHandsOverTheFile() throws IOException {
        TestRepository repo = new TestRepository(dir);
        byte[] targets = json(200_000);
        repo.write("metadata/2.targets.json", targets);
        repo.write("metadata/2.targets.json.gz", TestRepository.gzip(targets));
        try (OriginServer server = new OriginServer(OriginConfig.plain(repo.root, "127.0.0.1", 0).withWorkerThreads(1))) {
            server.start();

            assertThat(client.fetch(server.baseUri() + "metadata/2.targets.json", targets.length)).isEqualTo(targets);
            assertThat(client.fetch(server.baseUri() + "metadata/2.targets.json", Long.MAX_VALUE)).isEqualTo(targets);

            assertThat(client.bytesReceived()).isLessThan(2 * targets.length / 4);
            assertThat(server.bytesSent()).isLessThan(2 * targets.length / 4);
            // A range is asked for as it is: the file's own bytes.
            assertThat(client.fetchRange(server.baseUri() + "metadata/2.targets.json", 10, 20))
                    .isEqualTo(Arrays.copyOfRange(targets, 10, 30));
        }
    }

    @Test
    void asksForGzipOnWholeFilesOnlyAndNotForChunks() throws IOException {
        AtomicReference<String> whole = new AtomicReference<>();
        AtomicReference<String> chunk = new AtomicReference<>();
        AtomicReference<String> range = new AtomicReference<>();
        try (FakeOrigin origin = new FakeOrigin((i, socket, in, out) -> {
            String request = FakeOrigin.readRequest(in);
            if (request.contains("Range:") || request.contains("range:")) {
                range.set(request);
                out.write("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-1/2\r\nContent-Length: 2\r\n\r\nok"
                        .getBytes(StandardCharsets.ISO_8859_1));
            } else {
                (request.contains("/chunks/") ? chunk : whole).set(request);
                FakeOrigin.respond(out, "ok");
            }
        })) {
            client.fetch(origin.url("/metadata/timestamp.json"), 100);
            client.fetchAsStored(origin.url("/chunks/ab/cd"), 100);
            client.fetchRange(origin.url("/chunks/ab/cd"), 0, 2);
        }
        assertThat(whole.get().toLowerCase()).contains("accept-encoding: gzip");
        assertThat(chunk.get().toLowerCase()).doesNotContain("accept-encoding");
        assertThat(range.get().toLowerCase()).doesNotContain("accept-encoding");
    }

    @Test
    void aGzipBombStopsAtTheCap() throws IOException {
        byte[] bomb = TestRepository.gzip(new byte[50 << 20]); // 50 MiB of zeros in about 50 KB
        try (FakeOrigin origin = new FakeOrigin((i, socket, in, out) -> {
            FakeOrigin.readRequest(in);
            respond(out, "Content-Encoding: gzip", bomb);
        })) {
            String url = origin.url("/targets/abc.manifest.json");
            assertThatThrownBy(() -> client.fetch(url, 1 << 20))
                    .isInstanceOf(RemoteFetcher.TooLargeException.class)
                    .hasMessageContaining(url)
                    .hasMessageContaining(String.valueOf(1 << 20));
        }
    }

    @Test
    void aCompressedBodyMuchLongerThanTheFileCanBeIsCutOff() throws IOException {
        byte[] endless = new byte[2 << 20]; // not even gzip: it is refused by its length before anyone inflates it
        try (FakeOrigin origin = new FakeOrigin((i, socket, in, out) -> {
            FakeOrigin.readRequest(in);
            respond(out, "Content-Encoding: gzip", endless);
        })) {
            assertThatThrownBy(() -> client.fetch(origin.url("/metadata/1.root.json"), 1 << 20))
                    .isInstanceOf(RemoteFetcher.TooLargeException.class);
        }
    }

    @Test
    void aCorruptGzipBodyIsNamed() throws IOException {
        byte[] corrupt = TestRepository.gzip(json(10_000));
        corrupt[corrupt.length - 3] ^= 1; // the CRC no longer matches
        try (FakeOrigin origin = new FakeOrigin((i, socket, in, out) -> {
            FakeOrigin.readRequest(in);
            respond(out, "Content-Encoding: gzip", corrupt);
        })) {
            String url = origin.url("/metadata/2.targets.json");
            assertThatThrownBy(() -> client.fetch(url, 100_000))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("corrupt gzip body")
                    .hasMessageContaining(url);
        }
    }

    @Test
    void aContentCodingNotAskedForIsRefused() throws IOException {
        try (FakeOrigin origin = new FakeOrigin((i, socket, in, out) -> {
            String request = FakeOrigin.readRequest(in);
            boolean isRange = request.toLowerCase().contains("range:");
            String headers = isRange ? "Content-Encoding: gzip\r\nContent-Range: bytes 0-9/10"
                    : request.contains("/chunks/") ? "Content-Encoding: gzip"
                    : request.contains("twice") ? "Content-Encoding: gzip\r\nContent-Encoding: gzip"
                    : "Content-Encoding: br";
            respond(out, headers, new byte[10]);
        })) {
            assertThatThrownBy(() -> client.fetchAsStored(origin.url("/chunks/ab/cd"), 100))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Content-Encoding: gzip");
            assertThatThrownBy(() -> client.fetch(origin.url("/metadata/twice.json"), 100))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Content-Encoding: gzip, gzip");
            assertThatThrownBy(() -> client.fetch(origin.url("/metadata/timestamp.json"), 100))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Content-Encoding: br");
            assertThatThrownBy(() -> client.fetchRange(origin.url("/chunks/ab/cd"), 0, 10))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Content-Encoding: gzip");
        }
    }

    private static void respond(OutputStream out, String headers, byte[] body) throws IOException {
        String status = headers.contains("Content-Range") ? "206 Partial Content" : "200 OK";
        out.write(("HTTP/1.1 " + status + "\r\n" + headers + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** Metadata-like JSON of about {@code bytes} bytes: compresses well, as real metadata does. */
    private static byte[] json(int bytes) {
        StringBuilder s = new StringBuilder("{\"targets\":{");
        for (int i = 0; s.length() < bytes; i++) {
            s.append("\"demo-").append(i).append(".manifest.json\":{\"length\":").append(1000 + i).append("},");
        }
        return s.append("\"end\":{}}}").toString().getBytes(StandardCharsets.UTF_8);
    }

}
