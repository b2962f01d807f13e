package dev.caravan.origin.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.origin.server.RawHttpConnection.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byte ranges (RFC 9110 §14), validators and 304 (§13), cache rules by kind of file. */
class ConditionalAndRangeTest {

    @TempDir
    Path dir;
    TestRepository repo;
    OriginServer server;
    RawHttpConnection c;
    String chunk;

    @BeforeEach
    void start() throws IOException {
        repo = new TestRepository(dir);
        server = new OriginServer(OriginConfig.plain(repo.root, "127.0.0.1", 0).withWorkerThreads(1));
        InetSocketAddress address = server.start();
        c = new RawHttpConnection(address);
        chunk = "/" + TestRepository.chunkPath(repo.chunkDigest);
    }

    @AfterEach
    void stop() throws IOException {
        c.close();
        server.close();
    }

    @Test
    void servesEachFormOfASingleRange() throws IOException {
        int size = repo.chunk.length;
        assertPartial(c.get(chunk, "Range: bytes=10-19"), 10, 19);
        assertPartial(c.get(chunk, "Range: bytes=99990-"), 99_990, size - 1);
        assertPartial(c.get(chunk, "Range: bytes=-25"), size - 25, size - 1);
        assertPartial(c.get(chunk, "Range: bytes=5-999999999999999999999999"), 5, size - 1);
        assertPartial(c.get(chunk, "Range: BYTES=0-0"), 0, 0);
        assertPartial(c.get(chunk, "Range: bytes=-200000"), 0, size - 1);
    }

    private void assertPartial(Response r, int first, int last) {
        assertThat(r.status()).isEqualTo(206);
        assertThat(r.header("Content-Range")).isEqualTo("bytes " + first + "-" + last + "/" + repo.chunk.length);
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(last - first + 1));
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(repo.chunk, first, last + 1));
        assertThat(r.header("ETag")).isEqualTo("\"" + repo.chunkDigest.hex() + "\"");
    }

    @Test
    void answersAnUnsatisfiableRangeWith416() throws IOException {
        for (String range : new String[] {"bytes=100000-", "bytes=200000-300000", "bytes=-0"}) {
            Response r = c.get(chunk, "Range: " + range);
            assertThat(r.status()).as(range).isEqualTo(416);
            assertThat(r.header("Content-Range")).isEqualTo("bytes */" + repo.chunk.length);
        }
        assertThat(c.get("/metadata/timestamp.json").status()).isEqualTo(200); // connection still usable
    }

    @Test
    void servesTheWholeFileForSeveralOrBadRanges() throws IOException {
        for (String range : new String[] {"bytes=0-1,5-6", "bytes=9-3", "bytes=a-b", "items=0-1", "bytes=", "bytes=1"}) {
            Response r = c.get(chunk, "Range: " + range);
            assertThat(r.status()).as(range).isEqualTo(200);
            assertThat(r.body()).isEqualTo(repo.chunk);
        }
        Response head = c.head(chunk, "Range: bytes=0-9");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(repo.chunk.length));
    }

    @Test
    void honoursIfRangeOnlyForTheSameFile() throws IOException {
        String etag = c.get("/metadata/timestamp.json").header("ETag");
        assertThat(c.get("/metadata/timestamp.json", "Range: bytes=0-1", "If-Range: " + etag).status()).isEqualTo(206);
        assertThat(c.get("/metadata/timestamp.json", "Range: bytes=0-1", "If-Range: \"other\"").status()).isEqualTo(200);
        assertThat(c.get("/metadata/timestamp.json", "Range: bytes=0-1", "If-Range: W/" + etag).status()).isEqualTo(200);
    }

    @Test
    void answersAMatchingIfNoneMatchWith304() throws IOException {
        Response first = c.get("/metadata/timestamp.json");
        String etag = first.header("ETag");
        for (String condition : new String[] {etag, "W/" + etag, "\"x\", " + etag, "*"}) {
            Response r = c.get("/metadata/timestamp.json", "If-None-Match: " + condition);
            assertThat(r.status()).as(condition).isEqualTo(304);
            assertThat(r.header("ETag")).isEqualTo(etag);
            assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
        }
        assertThat(c.get("/metadata/timestamp.json", "If-None-Match: \"stale\"").status()).isEqualTo(200);
        assertThat(c.head("/metadata/timestamp.json", "If-None-Match: " + etag).status()).isEqualTo(304);
        assertThat(c.get("/metadata/timestamp.json", "If-Modified-Since: " + first.header("Last-Modified")).status())
                .isEqualTo(304);
        assertThat(c.get("/metadata/timestamp.json", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT").status())
                .isEqualTo(200);
        // Connection still in step after the 304s.
        assertThat(c.get("/metadata/timestamp.json").body()).isEqualTo(repo.timestamp);
    }

    @Test
    void changesTheEtagWhenTheFileIsReplaced() throws IOException {
        String before = c.get("/metadata/timestamp.json").header("ETag");
        Path fresh = repo.write("metadata/.new-timestamp", repo.timestamp); // same size, same second
        java.nio.file.Files.move(fresh, repo.root.resolve("metadata/timestamp.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Response after = c.get("/metadata/timestamp.json", "If-None-Match: " + before);
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.header("ETag")).isNotEqualTo(before);
    }

    @Test
    void marksVersionedFilesImmutableAndTheRestNoCache() throws IOException {
        String immutable = "public, max-age=31536000, immutable";
        repo.write("metadata/12.snapshot.json", new byte[] {'{', '}'});
        repo.write("metadata/root.json", new byte[] {'{', '}'});
        repo.write("targets/unversioned.json", new byte[] {'{', '}'});
        assertCaching("/metadata/1.root.json", immutable, "application/json");
        assertCaching("/metadata/12.snapshot.json", immutable, "application/json");
        assertCaching("/" + repo.targetPath(), immutable, "application/json");
        assertCaching(chunk, immutable, "application/octet-stream");
        assertCaching("/metadata/timestamp.json", "no-cache", "application/json");
        assertCaching("/metadata/root.json", "no-cache", "application/json");
        assertCaching("/targets/unversioned.json", "no-cache", "application/json");
        assertThat(c.get("/" + repo.targetPath()).header("ETag")).isEqualTo("\"" + repo.manifestDigest.hex() + "\"");
    }

    private void assertCaching(String target, String cacheControl, String contentType) throws IOException {
        Response r = c.get(target);
        assertThat(r.status()).as(target).isEqualTo(200);
        assertThat(r.header("Cache-Control")).as(target).isEqualTo(cacheControl);
        assertThat(r.header("Content-Type")).as(target).isEqualTo(contentType);
    }
}
