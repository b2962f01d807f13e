package dev.caravan.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.caravan.testkit.NetworkNamespaces.Host;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hosts made by {@link NetworkNamespaces} reach each other over their addresses, a shaped link is
 * as slow as its rate each way, and nothing is left behind: not the run's namespaces after close,
 * not the namespaces a killed run left. Needs root and iproute2; run with {@code -Psystem}.
 */
@Tag("system")
class NetworkNamespacesTest {
    private static final Pattern RECEIVED = Pattern.compile("received (\\d+) bytes in (\\d+) ms");
    private static final int BYTES = 2_000_000;
    private static final long SLOW_BITS_PER_SECOND = 8_000_000; // 1 MB/s: BYTES take 2 s

    @TempDir
    Path tmp;

    @Test
    void aShapedLinkCarriesBytesAtItsRateBothWaysAndCloseRemovesEveryNamespace() throws Exception {
        NetworkNamespaces.assumeAvailable();
        String stale = "caravan-test-" + deadPid() + "-1-pc1";
        exec("ip", "netns", "add", stale); // as a killed run leaves it

        List<String> names;
        try (NetworkNamespaces net = NetworkNamespaces.create(tmp.resolve("logs"))) {
            assertThat(namespaces()).as("namespaces after create").doesNotContain(stale);
            Host slow = net.addHost("slow", SLOW_BITS_PER_SECOND);
            Host fast = net.addHost("fast", 0);
            assertThat(List.of(slow.address(), fast.address())).containsExactly("10.77.0.1", "10.77.0.2");
            names = namespaces().stream().filter(n -> n.startsWith(slow.namespace().replace("slow", ""))).toList();
            assertThat(names).hasSize(3); // the two hosts and the bridge's

            long intoSlow = transferMillis(net, fast, slow, "into-slow");
            long outOfSlow = transferMillis(net, slow, fast, "out-of-slow");
            System.out.printf("NetworkNamespacesTest: %d bytes at 8 Mbit/s: %d ms into the slow host, %d ms out of it%n",
                    BYTES, intoSlow, outOfSlow);
            long atRate = BYTES * 8 * 1000 / SLOW_BITS_PER_SECOND;
            assertThat(intoSlow).as("ms to receive %d bytes over an 8 Mbit/s link", BYTES).isGreaterThan(atRate * 3 / 4);
            assertThat(outOfSlow).as("ms to send %d bytes over an 8 Mbit/s link", BYTES).isGreaterThan(atRate * 3 / 4);
        }
        assertThat(namespaces()).as("namespaces after close").doesNotContainAnyElementsOf(names);
    }

    /** Sends BYTES from {@code from} to {@code to} over TCP; returns how long the receiver took from first byte to last. */
    private static long transferMillis(NetworkNamespaces net, Host from, Host to, String name) throws Exception {
        Path dir = net.logDir();
        Process sink = net.start(to, dir, Map.of(), name + "-sink.log", List.of(ProcessHandle.current().info().command()
                .orElseThrow(), "-cp", System.getProperty("java.class.path"), Sink.class.getName(), "9000"));
        Path sinkLog = dir.resolve(name + "-sink.log");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(sinkLog).contains("listening"));
        Process source = net.start(from, dir, Map.of(), name + "-source.log", List.of("bash", "-c",
                "head -c " + BYTES + " /dev/zero > /dev/tcp/" + to.address() + "/9000"));
        assertThat(source.waitFor(60, TimeUnit.SECONDS)).as("the sender ended").isTrue();
        assertThat(source.exitValue()).as("the sender's exit status: %s", Files.readString(dir.resolve(name + "-source.log")))
                .isZero();
        assertThat(sink.waitFor(60, TimeUnit.SECONDS)).as("the receiver ended").isTrue();
        Matcher m = RECEIVED.matcher(Files.readString(sinkLog));
        assertThat(m.find()).as("the receiver's report: %s", Files.readString(sinkLog)).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("bytes received").isEqualTo(BYTES);
        return Long.parseLong(m.group(2));
    }

    /** Receives one connection on the port given, reading to its end; prints how many bytes came and how fast. */
    static final class Sink {
        public static void main(String[] args) throws IOException {
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(Integer.parseInt(args[0])));
                System.out.println("listening");
                System.out.flush();
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    byte[] buffer = new byte[1 << 16];
                    long total = 0;
                    long first = 0;
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        if (total == 0 && n > 0) {
                            first = System.nanoTime();
                        }
                        total += n;
                    }
                    System.out.println("received " + total + " bytes in " + (System.nanoTime() - first) / 1_000_000 + " ms");
                }
            }
        }
    }

    private static long deadPid() {
        return LongStream.iterate(4_000_000, p -> p - 1).filter(p -> ProcessHandle.of(p).isEmpty()).findFirst().orElseThrow();
    }

    private static List<String> namespaces() throws Exception {
        return exec("ip", "netns", "list").lines().map(l -> l.split(" ")[0]).toList();
    }

    private static String exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
        return out;
    }
}
