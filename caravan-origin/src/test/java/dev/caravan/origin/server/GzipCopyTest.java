package dev.caravan.origin.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.origin.server.RawHttpConnection.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publisher's gzip copies ({@code P.gz}) of metadata and targets, sent to clients that take gzip. */
class GzipCopyTest {

    @TempDir
    Path dir;
    TestRepository repo;
    OriginServer server;
    RawHttpConnection c;
    String target;
    byte[] targetGzip;

    @BeforeEach
    void start() throws IOException {
        repo = new TestRepository(dir);
        target = "/" + repo.targetPath();
        targetGzip = TestRepository.gzip(repo.manifest);
        repo.write(repo.targetPath() + ".gz", targetGzip);
        server = new OriginServer(OriginConfig.plain(repo.root, "127.0.0.1", 0).withWorkerThreads(1));
        InetSocketAddress address = server.start();
        c = new RawHttpConnection(address);
    }

    @AfterEach
    void stop() throws IOException {
        c.close();
        server.close();
    }

    @Test
    void sendsTheGzipCopyToAClientThatTakesGzip() throws IOException {
        Response r = c.get(target, "Accept-Encoding: gzip");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(targetGzip.length));
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.header("Vary")).isEqualToIgnoringCase("accept-encoding");
        assertThat(r.header("Cache-Control")).isEqualTo(ServedFile.IMMUTABLE);
        assertThat(gunzip(r.body())).isEqualTo(repo.manifest);
    }

    @Test
    void sendsTheFileAsItIsOtherwiseAndSaysItVaries() throws IOException {
        for (List<String> headers : List.of(List.<String>of(), List.of("Accept-Encoding: identity"),
                List.of("Accept-Encoding: gzip;q=0, br"), List.of("Accept-Encoding: *;q=1, gzip;q=0"))) {
            Response r = c.get(target, headers.toArray(String[]::new));
            assertThat(r.status()).as("%s", headers).isEqualTo(200);
            assertThat(r.header("Content-Encoding")).as("%s", headers).isNull();
            assertThat(r.body()).as("%s", headers).isEqualTo(repo.manifest);
            assertThat(r.header("Vary")).isEqualToIgnoringCase("accept-encoding");
        }
        for (String accepted : List.of("deflate, GZIP;q=0.5", "x-gzip", "*", "br;q=1.0, *;q=0.1")) {
            assertThat(c.get(target, "Accept-Encoding: " + accepted).header("Content-Encoding")).as(accepted).isEqualTo("gzip");
        }
    }

    @Test
    void eachRepresentationHasItsOwnEntityTag() throws IOException {
        String plainTag = c.get(target).header("ETag");
        Response gz = c.get(target, "Accept-Encoding: gzip");
        assertThat(gz.header("ETag")).isNotEqualTo(plainTag).endsWith("-gzip\"");

        Response notModified = c.get(target, "Accept-Encoding: gzip", "If-None-Match: " + gz.header("ETag"));
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.header("Content-Encoding")).isEqualTo("gzip");
        // The plain file's tag does not validate the gzip copy, nor the other way round.
        assertThat(c.get(target, "Accept-Encoding: gzip", "If-None-Match: " + plainTag).status()).isEqualTo(200);
        assertThat(c.get(target, "If-None-Match: " + gz.header("ETag")).status()).isEqualTo(200);
    }

    @Test
    void headAndRangesDescribeTheGzipCopy() throws IOException {
        Response head = c.head(target, "Accept-Encoding: gzip");
        assertThat(head.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(targetGzip.length));

        Response range = c.get(target, "Accept-Encoding: gzip", "Range: bytes=0-9");
        assertThat(range.status()).isEqualTo(206);
        assertThat(range.header("Content-Range")).isEqualTo("bytes 0-9/" + targetGzip.length);
        assertThat(range.body()).isEqualTo(java.util.Arrays.copyOf(targetGzip, 10));
    }

    @Test
    void chunksAndFilesWithoutACopyAreAlwaysSentAsTheyAre() throws IOException {
        String chunk = TestRepository.chunkPath(repo.chunkDigest);
        repo.write(chunk + ".gz", TestRepository.gzip(repo.chunk)); // never looked at: chunks do not compress
        Response r = c.get("/" + chunk, "Accept-Encoding: gzip");
        assertThat(r.header("Content-Encoding")).isNull();
        assertThat(r.header("Vary")).isNull();
        assertThat(r.body()).isEqualTo(repo.chunk);

        // Files that change in place are never taken from a copy, which would go stale at the next publish.
        repo.write("metadata/timestamp.json.gz", TestRepository.gzip("{\"stale\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Response timestamp = c.get("/metadata/timestamp.json", "Accept-Encoding: gzip");
        assertThat(timestamp.header("Content-Encoding")).isNull();
        assertThat(timestamp.header("Vary")).isNull();
        assertThat(timestamp.body()).isEqualTo(repo.timestamp);
    }

    @Test
    void aCopyWithoutItsFileIsNotServedInItsName() throws IOException {
        repo.write("metadata/9.targets.json.gz", TestRepository.gzip(repo.timestamp));
        assertThat(c.get("/metadata/9.targets.json", "Accept-Encoding: gzip").status()).isEqualTo(404);
    }


    private static byte[] gunzip(byte[] bytes) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }
}
