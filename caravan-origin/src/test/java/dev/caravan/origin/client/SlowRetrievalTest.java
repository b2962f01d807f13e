package dev.caravan.origin.client;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TUF's slow-retrieval attack: a server that holds a request by sending a little, often enough
 * that the read timeout never fires. The servers here send on a schedule; the tests wait on
 * futures, never sleep.
 */
class SlowRetrievalTest {

    /** Never quiet for this long in these tests, so only the minimum rate can stop a drip. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DRIP_EVERY = Duration.ofMillis(20);
    /** Long enough for any failure expected here, far shorter than any drip left to run. */
    static final Duration PATIENCE = Duration.ofSeconds(10);

    final ScheduledExecutorService drips = Executors.newSingleThreadScheduledExecutor();
    final CountDownLatch hungUp = new CountDownLatch(1);

    @AfterEach
    void stopDripping() {
        drips.shutdownNow();
    }

    @Test
    void aServerDrippingItsBodyIsCutOffAtTheMinimumRateAndItsConnectionClosed() throws Exception {
        // 1 byte every 20 ms (50 bytes/s) of 100,000: over half an hour, were it let run.
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
        try (OriginClient client = client(1000, Duration.ofMillis(300));
                FakeOrigin origin = new FakeOrigin(dripping(head, new byte[100_000], 1))) {
            String url = origin.url("/chunks/ab/abcdef");
            CompletableFuture<byte[]> get = client.fetchAsync(url, 100_000);

            assertThat(get).failsWithin(PATIENCE)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(IOException.class)
                    .withMessageStartingWith(url + ": origin sent ")
                    .withMessageMatching(".* bytes in \\d+\\.\\d s \\(\\d+ bytes/s\\), .*")
                    .withMessageEndingWith("below the minimum of 1000 bytes/s (slow retrieval)");
            assertThat(hungUp.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("connection closed").isTrue();
        }
    }

    @Test
    void aServerDrippingItsHeadersIsCutOffToo() throws Exception {
        byte[] response = ("HTTP/1.1 200 OK\r\nX-Padding: " + "x".repeat(8000) + "\r\nContent-Length: 2\r\n\r\nok")
                .getBytes(ISO_8859_1);
        try (OriginClient client = client(1000, Duration.ofMillis(300));
                FakeOrigin origin = new FakeOrigin(dripping("", response, 1))) {
            String url = origin.url("/metadata/timestamp.json");

            assertThat(client.fetchAsync(url, 1024)).failsWithin(PATIENCE)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .withMessageStartingWith(url + ": origin sent 0 bytes in ")
                    .withMessageContaining("(slow retrieval)");
            assertThat(hungUp.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("connection closed").isTrue();
        }
    }

    @Test
    void aFastServerIsUnaffectedThoughItTakesLongerThanTheGrace() throws Exception {
        // 64 KiB every 20 ms: about 3 MiB/s, for 400 ms, against a minimum of 64 KiB/s after 100 ms.
        byte[] body = new byte[20 * 64 * 1024];
        new Random(5).nextBytes(body);
        String head = "HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n";
        try (OriginClient client = client(64 * 1024, Duration.ofMillis(100));
                FakeOrigin origin = new FakeOrigin(dripping(head, body, 64 * 1024))) {
            assertThat(client.fetchAsync(origin.url("/chunks/ab/abcdef"), body.length))
                    .succeedsWithin(PATIENCE)
                    .isEqualTo(body);
        }
    }

    @Test
    void aSlowResponseThatEndsWithinTheGraceIsFine() throws Exception {
        // 10 bytes in about 200 ms is 50 bytes/s, far below the minimum, but the grace is 5 s.
        byte[] body = "0123456789".getBytes(ISO_8859_1);
        try (OriginClient client = client(1 << 20, Duration.ofSeconds(5));
                FakeOrigin origin = new FakeOrigin(dripping("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", body, 1))) {
            assertThat(client.fetchAsync(origin.url("/metadata/timestamp.json"), 1024))
                    .succeedsWithin(PATIENCE)
                    .isEqualTo(body);
        }
    }

    @Test
    void zeroTurnsTheMinimumRateOff() throws Exception {
        // A drip that outlasts a 1 ms grace many times over, with no minimum to fall below.
        byte[] body = "0123456789".getBytes(ISO_8859_1);
        try (OriginClient client = client(0, Duration.ofMillis(1));
                FakeOrigin origin = new FakeOrigin(dripping("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", body, 1))) {
            assertThat(client.fetchAsync(origin.url("/metadata/timestamp.json"), 1024))
                    .succeedsWithin(PATIENCE)
                    .isEqualTo(body);
        }
    }

    private static OriginClient client(long minBytesPerSecond, Duration grace) throws IOException {
        return new OriginClient(OriginClientConfig.defaults()
                .withIoThreads(1)
                .withReadTimeout(READ_TIMEOUT)
                .withMinBytesPerSecond(minBytesPerSecond)
                .withMinRateGrace(grace));
    }

    /**
     * Answers the first request with {@code head} at once, then {@code body} {@code pieceBytes}
     * at a time every {@link #DRIP_EVERY}; counts {@link #hungUp} down when the client closes
     * the connection.
     */
    private FakeOrigin.Script dripping(String head, byte[] body, int pieceBytes) {
        return (i, socket, in, out) -> {
            FakeOrigin.readRequest(in);
            out.write(head.getBytes(ISO_8859_1));
            AtomicInteger sent = new AtomicInteger();
            ScheduledFuture<?> drip = drips.scheduleAtFixedRate(() -> {
                int from = sent.get();
                int n = Math.min(pieceBytes, body.length - from);
                if (n > 0) {
                    try {
                        out.write(Arrays.copyOfRange(body, from, from + n));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e); // the client hung up: stop dripping
                    }
                    sent.addAndGet(n);
                }
            }, 0, DRIP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            try {
                while (in.read() >= 0) {
                    // until the client hangs up
                }
            } finally {
                drip.cancel(false);
                hungUp.countDown();
            }
        };
    }
}
