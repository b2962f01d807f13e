package dev.caravan.origin.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.origin.server.RawHttpConnection.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Requests that try to reach outside the repository folder: each is refused, and no response
 * carries a byte of the file beside the repository.
 */
class PathTraversalTest extends LocalOriginTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "/../outside/secret.txt",
        "/metadata/../../outside/secret.txt",
        "/%2e%2e/outside/secret.txt",
        "/%2E%2E/outside/secret.txt",
        "/.%2e/outside/secret.txt",
        "/metadata/..%2f..%2foutside/secret.txt",
        "/metadata/%2e%2e%2f%2e%2e%2foutside%2fsecret.txt",
        "/metadata/..%5c..%5coutside%5csecret.txt",
        "/..\\outside\\secret.txt",
        "/metadata/timestamp.json%00.txt",
        "/%c0%ae%c0%ae/outside/secret.txt",
        "/%252e%252e/outside/secret.txt",
        "/metadata/./timestamp.json",
        "http://origin.test/../outside/secret.txt",
        "http://origin.test/%2e%2e/outside/secret.txt",
        "http://user@origin.test/metadata/timestamp.json",
        "file:///etc/passwd",
        "outside/secret.txt",
        "*",
        "/%",
        "/%zz",
    })
    void refusesPathsThatCouldLeaveTheRepository(String target) throws IOException {
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            Response r = c.get(target);
            assertThat(r.status()).as(target).isIn(400, 404);
            assertThat(r.text()).doesNotContain(TestRepository.SECRET);
        }
    }

    @Test
    void refusesSymbolicLinksThatPointOutside() throws IOException {
        Files.createSymbolicLink(repo.root.resolve("chunks/leak"), repo.outside.resolve("secret.txt"));
        Files.createSymbolicLink(repo.root.resolve("metadata/out"), repo.outside);
        Files.createSymbolicLink(repo.root.resolve("metadata/absolute.json"), Path.of("/etc/hostname"));
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            for (String target : new String[] {"/chunks/leak", "/metadata/out/secret.txt", "/metadata/out",
                    "/metadata/absolute.json"}) {
                Response r = c.get(target);
                assertThat(r.status()).as(target).isEqualTo(404);
                assertThat(r.text()).doesNotContain(TestRepository.SECRET);
            }
        }
    }

    @Test
    void followsSymbolicLinksThatStayInside() throws IOException {
        Files.createSymbolicLink(repo.root.resolve("metadata/current.json"), repo.root.resolve("metadata/1.root.json"));
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            assertThat(c.get("/metadata/current.json").body()).isEqualTo(repo.root1);
        }
    }

    @Test
    void servesTheAbsoluteFormInsideTheRepository() throws IOException {
        try (RawHttpConnection c = new RawHttpConnection(address)) {
            assertThat(c.get("http://origin.test/metadata/timestamp.json").body()).isEqualTo(repo.timestamp);
            assertThat(c.get("/metadata/timestamp.json?x=1").body()).isEqualTo(repo.timestamp);
            assertThat(c.get("/metadata/time%73tamp.json").body()).isEqualTo(repo.timestamp);
        }
    }

    @Test
    void servesARepositoryReachedThroughASymbolicLink() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("repo-link"), repo.root);
        try (OriginServer viaLink = new OriginServer(OriginConfig.plain(link, "127.0.0.1", 0).withWorkerThreads(1))) {
            try (RawHttpConnection c = new RawHttpConnection(viaLink.start())) {
                assertThat(c.get("/metadata/1.root.json").body()).isEqualTo(repo.root1);
            }
        }
    }
}
