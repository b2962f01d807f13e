package dev.caravan.origin.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test with an origin serving a fresh {@link TestRepository} on 127.0.0.1, one I/O thread. */
abstract class LocalOriginTest {
    @TempDir
    Path dir;
    TestRepository repo;
    OriginServer server;
    InetSocketAddress address;

    @BeforeEach
    void startOrigin() throws IOException {
        repo = new TestRepository(dir);
        server = new OriginServer(OriginConfig.plain(repo.root, "127.0.0.1", 0).withWorkerThreads(1));
        address = server.start();
    }

    @AfterEach
    void stopOrigin() {
        server.close();
    }
}
