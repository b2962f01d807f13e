package dev.caravan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.core.Digest;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.origin.client.OriginClient;
import dev.caravan.origin.client.OriginClientConfig;
import dev.caravan.origin.server.OriginConfig;
import dev.caravan.origin.server.OriginServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkFetcherTest {
    @TempDir
    Path tmp;

    @Test
    void aWorkerDyingOfAnErrorFailsTheWaitersInsteadOfLeavingThemBlocked() throws Exception {
        byte[] data = new byte[100_000];
        new Random(3).nextBytes(data);
        Digest digest = Digest.sha256(data);
        new ChunkStore(tmp.resolve("repo/chunks")).put(digest, data);
        GetProgress throwing = new GetProgress() {
            @Override
            public void chunkFetched(long bytes) {
                throw new AssertionError("progress display broke");
            }
        };
        try (OriginServer origin = new OriginServer(OriginConfig.plain(tmp.resolve("repo"), "127.0.0.1", 0));
             OriginClient client = new OriginClient(OriginClientConfig.defaults())) {
            String url = "http://127.0.0.1:" + origin.start().getPort() + "/chunks";
            try (ChunkFetcher fetcher = new ChunkFetcher(client, url, new ChunkStore(tmp.resolve("cache")), 2, throwing)) {
                fetcher.start(Map.of(digest, (long) data.length));
                CompletableFuture<Void> waiting = fetcher.arrival(digest);
                // The bound only turns a hang into a failure; the wait ends as soon as the worker dies.
                assertThat(waiting).failsWithin(Duration.ofSeconds(30))
                        .withThrowableThat().havingRootCause().withMessage("progress display broke");
                assertThatThrownBy(fetcher::finish).hasMessage("progress display broke");
            }
        }
    }
}
