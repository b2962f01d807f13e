package dev.caravan.origin.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.tuf.RemoteFetcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against servers that stall, close early, or never stop sending. */
class OriginClientFaultsTest {

    OriginClient client;

    @BeforeEach
    void start() throws IOException {
        client = new OriginClient(OriginClientConfig.defaults().withIoThreads(1).withReadTimeout(Duration.ofMillis(300)));
    }

    @AfterEach
    void stop() {
        client.close();
    }

    @Test
    void stopsAnEndlessChunkedBodyAtTheCap() throws IOException {
        byte[] piece = ("4000\r\n" + "x".repeat(0x4000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try (FakeOrigin origin = new FakeOrigin((i, socket, in, out) -> {
            FakeOrigin.readRequest(in);
            out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            while (true) {
                out.write(piece); // until the client hangs up
            }
        })) {
            String url = origin.url("/metadata/timestamp.json");
            long cap = 1 << 20;
            assertThatThrownBy(() -> client.fetch(url, cap))
                    .isInstanceOf(RemoteFetcher.TooLargeException.class)
                    .hasMessageContaining(url);
            assertThat(client.bytesReceived()).isLessThan(cap + (4 << 20));
        }
    }

    @Test
    void stopsACloseDelimitedBodyAtTheCap() throws IOException {
        try (FakeOrigin origin = new FakeOrigin((i, socket, in, out) -> {
            FakeOrigin.readRequest(in);
            out.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[100_000]);
        })) {
            assertThatThrownBy(() -> client.fetch(origin.url("/x"), 99_999)).isInstanceOf(RemoteFetcher.TooLargeException.class);
            assertThat(client.fetch(origin.url("/x"), 100_000)).hasSize(100_000);
        }
    }

    @Test
    void failsWhenTheResponseIsCutShort() throws IOException {
        try (FakeOrigin origin = new FakeOrigin((i, socket, in, out) -> {
            FakeOrigin.readRequest(in);
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this".getBytes(StandardCharsets.ISO_8859_1));
        })) {
            String url = origin.url("/chunks/ab/cd");
            assertThatThrownBy(() -> client.fetch(url, 10_000)).isInstanceOf(IOException.class).hasMessageContaining(url);
        }
    }

    @Test
    void timesOutASilentServerNamingTheUrl() throws IOException {
        CountDownLatch hold = new CountDownLatch(1);
        try (FakeOrigin origin = new FakeOrigin((i, socket, in, out) -> {
            FakeOrigin.readRequest(in);
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            String url = origin.url("/metadata/timestamp.json");
            assertThatThrownBy(() -> client.fetch(url, 1024))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("no response")
                    .hasMessageContaining(url);
        } finally {
            hold.countDown();
        }
    }

    @Test
    void retriesOnceWhenAPooledConnectionWasClosedByTheServer() throws IOException {
        try (FakeOrigin origin = new FakeOrigin((i, socket, in, out) -> {
            FakeOrigin.readRequest(in);
            FakeOrigin.respond(out, "answer " + i);
            // Connection 0 reads the next request and hangs up without a word, as a server
            // closing an idle keep-alive connection at that very moment would.
            FakeOrigin.readRequest(in);
            if (i > 0) {
                FakeOrigin.respond(out, "again " + i);
            }
        })) {
            assertThat(new String(client.fetch(origin.url("/a"), 100), StandardCharsets.UTF_8)).isEqualTo("answer 0");
            assertThat(new String(client.fetch(origin.url("/b"), 100), StandardCharsets.UTF_8)).isEqualTo("answer 1");
            assertThat(origin.connections()).isEqualTo(2);
        }
    }

    @Test
    void doesNotRetryOnAFreshConnection() throws IOException {
        try (FakeOrigin origin = new FakeOrigin((i, socket, in, out) -> FakeOrigin.readRequest(in))) {
            String url = origin.url("/a");
            assertThatThrownBy(() -> client.fetch(url, 100)).isInstanceOf(IOException.class).hasMessageContaining(url);
            assertThat(origin.connections()).isEqualTo(1);
        }
    }

    @Test
    void failsWhatIsInFlightWhenClosed() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        try (FakeOrigin origin = new FakeOrigin((i, socket, in, out) -> {
            FakeOrigin.readRequest(in);
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            OriginClient patient = new OriginClient(OriginClientConfig.defaults().withIoThreads(1));
            CompletableFuture<byte[]> inFlight = patient.fetchAsync(origin.url("/slow"), 100);
            CompletableFuture<byte[]> queued = null;
            for (int i = 0; i < OriginClientConfig.DEFAULT_MAX_CONNECTIONS_PER_HOST; i++) {
                queued = patient.fetchAsync(origin.url("/slow" + i), 100);
            }
            patient.close();
            assertThatThrownBy(inFlight::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
            assertThatThrownBy(queued::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
        } finally {
            hold.countDown();
        }
    }
}
