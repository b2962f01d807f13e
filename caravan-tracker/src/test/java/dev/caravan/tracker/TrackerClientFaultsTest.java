package dev.caravan.tracker;

import static dev.caravan.tracker.TestPeers.manifest;
import static dev.caravan.tracker.TestPeers.peerId;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.testkit.LeakCheck;
import dev.caravan.wire.tls.CertificateAuthority;
import dev.caravan.wire.tls.Role;
import dev.caravan.wire.tls.TlsFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What an agent sees when the tracker is not there or does not answer: a transient fault, in time. */
@ExtendWith(LeakCheck.class)
class TrackerClientFaultsTest {
    @TempDir
    static Path dir;
    static TlsFiles agent;

    @BeforeAll
    static void setUp() throws IOException {
        CertificateAuthority.init(dir.resolve("ca"));
        CertificateAuthority.issue(dir.resolve("ca"), "agent-a", Role.AGENT, dir.resolve("certs"), CertificateAuthority.DEFAULT_VALIDITY);
        agent = TlsFiles.in(dir.resolve("certs"), "agent-a");
    }

    @Test
    void aTrackerThatNeverAnswersTimesOutAsUnavailable() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            TrackerClientConfig config = TrackerClientConfig.defaults("127.0.0.1", silent.getLocalPort(), agent)
                    .withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300));
            // The listen backlog completes the TCP handshake; nothing ever reads or writes on the connection.
            try (TrackerClient client = new TrackerClient(config)) {
                assertThatThrownBy(() -> client.announce(request()))
                        .isInstanceOf(TrackerUnavailableException.class).hasMessageContaining("did not answer within PT0.3S");
            }
        }
    }

    @Test
    void aTrackerThatIsNotListeningIsUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (TrackerClient client = new TrackerClient(TrackerClientConfig.defaults("127.0.0.1", port, agent))) {
            assertThatThrownBy(() -> client.announce(request()))
                    .isInstanceOf(TrackerUnavailableException.class).hasMessageContaining("cannot connect to tracker 127.0.0.1:" + port);
        }
    }

    @Test
    void missingCertificateFilesFailWhenTheClientIsMade() {
        TlsFiles none = TlsFiles.in(dir.resolve("nowhere"), "agent-z");
        assertThatThrownBy(() -> new TrackerClient(TrackerClientConfig.defaults("127.0.0.1", 1, none)))
                .isInstanceOf(IOException.class).hasMessageContaining("agent-z.crt");
    }

    private static AnnounceRequest request() {
        return new AnnounceRequest(peerId(1), PeerAddress.wildcard(7000), "paris",
                List.of(new ReleaseProgress(manifest("x"), 0, 1, false)), AnnounceEvent.STARTED);
    }
}
