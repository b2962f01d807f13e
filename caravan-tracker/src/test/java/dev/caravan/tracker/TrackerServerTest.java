package dev.caravan.tracker;

import static dev.caravan.tracker.TestPeers.manifest;
import static dev.caravan.tracker.TestPeers.peerId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.testkit.MutableClock;
import dev.caravan.testkit.LeakCheck;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.core.Digest;
import dev.caravan.wire.tls.CertificateAuthority;
import dev.caravan.wire.tls.Role;
import dev.caravan.wire.tls.TlsContexts;
import dev.caravan.wire.tls.TlsFiles;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A tracker on 127.0.0.1 with certificates from a CA made here, called by real clients. */
@ExtendWith(LeakCheck.class)
class TrackerServerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String M = "a".repeat(64);

    @TempDir
    static Path dir;
    static Path certs;
    static MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    static TrackerServer tracker;
    static TrackerClient agentA;
    static TrackerClient agentB;
    static EventLoopGroup group;

    @BeforeAll
    static void setUp() throws Exception {
        Path ca = dir.resolve("ca");
        certs = dir.resolve("certs");
        CertificateAuthority.init(ca);
        for (String name : List.of("agent-a", "agent-b")) {
            CertificateAuthority.issue(ca, name, Role.AGENT, certs, CertificateAuthority.DEFAULT_VALIDITY);
        }
        CertificateAuthority.issue(ca, "tracker-1", Role.TRACKER, certs, CertificateAuthority.DEFAULT_VALIDITY);
        tracker = new TrackerServer(TrackerConfig.defaults("127.0.0.1", 0, TlsFiles.in(certs, "tracker-1"))
                .withClock(clock).withMaxPeersPerAnswer(4).withIoThreads(1)
                .withHandoutPolicy(PeerHandoutPolicy.groupFirst(new Random(7))));
        tracker.start();
        agentA = client("agent-a");
        agentB = client("agent-b");
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void tearDown() {
        agentA.close();
        agentB.close();
        tracker.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void peerListsPutTheSameGroupFirstAreBoundedAndExcludeTheAnnouncer() throws Exception {
        Digest m = manifest("lists");
        for (int n = 1; n <= 3; n++) {
            agentA.announce(leecher(n, "paris", m));
            agentA.announce(leecher(n + 3, "lyon", m));
        }
        AnnounceResponse answer = agentA.announce(leecher(1, "paris", m));

        assertThat(answer.interval()).isEqualTo(Duration.ofSeconds(30));
        List<SwarmPeer> list = answer.peersFor(m);
        assertThat(list).hasSize(4).extracting(SwarmPeer::peerId).doesNotContain(peerId(1)).doesNotHaveDuplicates();
        assertThat(list.subList(0, 2)).extracting(SwarmPeer::peerId).containsExactlyInAnyOrder(peerId(2), peerId(3));
        assertThat(list.subList(2, 4)).extracting(SwarmPeer::group).containsOnly("lyon");
        assertThat(list.get(0).address().port()).isEqualTo(7000 + list.get(0).peerId().bytes()[15]);
    }

    @Test
    void aWildcardHostBecomesTheAddressTheTrackerSeesAndTheCertificateNameIsKept() throws Exception {
        Digest m = manifest("wildcard");
        agentA.announce(new AnnounceRequest(peerId(40), PeerAddress.wildcard(7040), "paris",
                List.of(new ReleaseProgress(m, 0, 5, false)), AnnounceEvent.STARTED));
        // The JSON API also takes an address object without a host.
        RawHttps.Exchange raw = post("""
                {"peer_id":"%s","address":{"port":7041},"group":"paris","releases":[]}""".formatted(peerId(41)));
        assertThat(raw.status()).isEqualTo(200);

        PeerRecord stored = tracker.store().find(peerId(40), clock.instant()).orElseThrow();
        assertThat(stored.address()).isEqualTo(new PeerAddress("127.0.0.1", 7040));
        assertThat(stored.certificateName()).isEqualTo("agent-a");
        assertThat(tracker.store().find(peerId(41), clock.instant()).orElseThrow().address().toString())
                .isEqualTo("127.0.0.1:7041");
    }

    @Test
    void aPeerThatStopsAnnouncingDropsOutAfterItsTtl() throws Exception {
        Digest m = manifest("ttl");
        agentA.announce(leecher(10, "paris", m));
        clock.advance(Duration.ofSeconds(89));
        assertThat(agentA.announce(leecher(11, "paris", m)).peersFor(m)).extracting(SwarmPeer::peerId).containsExactly(peerId(10));

        clock.advance(Duration.ofSeconds(1)); // 90 s = 3 intervals since peer 10's last announce
        assertThat(agentA.announce(leecher(11, "paris", m)).peersFor(m)).isEmpty();
        assertThat(tracker.store().find(peerId(10), clock.instant())).isEmpty();
        assertThat(tracker.store().find(peerId(11), clock.instant())).isPresent();
    }

    @Test
    void stoppedRemovesThePeerAtOnce() throws Exception {
        Digest m = manifest("stopped");
        agentA.announce(leecher(20, "paris", m));
        agentA.announce(leecher(21, "paris", m));

        AnnounceResponse bye = agentA.announce(new AnnounceRequest(peerId(20), PeerAddress.wildcard(7020), "paris", List.of(),
                AnnounceEvent.STOPPED));

        assertThat(bye.peers()).isEmpty();
        assertThat(agentA.announce(leecher(21, "paris", m)).peersFor(m)).isEmpty();
        assertThat(tracker.store().find(peerId(20), clock.instant())).isEmpty();
    }

    @Test
    void aPeerIdBelongsToTheCertificateThatAnnouncedIt() throws Exception {
        Digest m = manifest("owner");
        agentA.announce(leecher(30, "paris", m));

        assertThatThrownBy(() -> agentB.announce(leecher(30, "lyon", m)))
                .isInstanceOfSatisfying(TrackerRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.field()).isEqualTo("peer_id");
                });
        assertThatThrownBy(() -> agentB.announce(new AnnounceRequest(peerId(30), PeerAddress.wildcard(1), "lyon", List.of(),
                AnnounceEvent.STOPPED))).isInstanceOf(TrackerRejectedException.class);
        assertThat(tracker.store().find(peerId(30), clock.instant()).orElseThrow().group()).isEqualTo("paris");
    }

    @Test
    void aClientFromAnotherCaIsRefusedAtTheHandshakeAndGetsNoByte() throws Exception {
        Path otherCa = dir.resolve("other-ca");
        CertificateAuthority.init(otherCa);
        CertificateAuthority.issue(otherCa, "agent-a", Role.AGENT, dir.resolve("other-certs"), CertificateAuthority.DEFAULT_VALIDITY);
        // The stranger trusts our CA, so only the tracker's check of its certificate stands in its way.
        TlsFiles stranger = new TlsFiles(dir.resolve("other-certs/agent-a.crt"), dir.resolve("other-certs/agent-a.key"),
                certs.resolve("ca.crt"));
        assertRefused(stranger, 50);
    }

    @Test
    void aTrackerCertificateCannotAnnounce() throws Exception {
        assertRefused(TlsFiles.in(certs, "tracker-1"), 51);
    }

    @Test
    void theClientRefusesAServerWhoseCertificateIsNotATrackers() throws Exception {
        try (TrackerServer impostor = new TrackerServer(TrackerConfig.defaults("127.0.0.1", 0, TlsFiles.in(certs, "agent-b"))
                .withIoThreads(1))) {
            int port = impostor.start().getPort();
            try (TrackerClient client = new TrackerClient(TrackerClientConfig.defaults("127.0.0.1", port,
                    TlsFiles.in(certs, "agent-a")))) {
                assertThatThrownBy(() -> client.announce(leecher(52, "paris", manifest("impostor"))))
                        .isExactlyInstanceOf(TrackerException.class).hasMessageContaining("TLS handshake with tracker")
                        .hasMessageContaining("this endpoint accepts [tracker]");
            }
            assertThat(impostor.store().count()).isZero();
        }
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', textBlock = """
            not json                                                                   | body                  | malformed JSON
            []                                                                         | body                  | not an object
            {}                                                                         | peer_id               | no peer id
            {"peer_id":"xyz","address":"h:1","group":"g","releases":[]}                | peer_id               | peer id not hex
            {"peer_id":"PID","group":"g","releases":[]}                                | address               | no address
            {"peer_id":"PID","address":"nohost","group":"g","releases":[]}             | address               | address without port
            {"peer_id":"PID","address":{"host":"h","port":0},"group":"g","releases":[]} | address.port         | port 0
            {"peer_id":"PID","address":"h:1","group":"Bad Group","releases":[]}        | group                 | bad group
            {"peer_id":"PID","address":"h:1","group":"g","releases":[],"event":"nap"}  | event                 | unknown event
            {"peer_id":"PID","address":"h:1","group":"g"}                              | releases              | no releases
            {"peer_id":"PID","address":"h:1","group":"g","releases":[{"manifest":"ab","have":0,"total":1,"complete":false}]} | releases[0].manifest | short manifest
            {"peer_id":"PID","address":"h:1","group":"g","releases":[{"manifest":"MMM","have":2,"total":1,"complete":false}]} | releases[0].have | have over total
            {"peer_id":"PID","address":"h:1","group":"g","releases":[{"manifest":"MMM","have":1.5,"total":2,"complete":false}]} | releases[0].have | fractional have
            {"peer_id":"PID","address":"h:1","group":"g","releases":[{"manifest":"MMM","have":1,"total":2,"complete":true}]} | releases[0].complete | complete but missing chunks
            {"peer_id":"PID","address":"h:1","group":"g","releases":[{"manifest":"MMM","have":1,"total":2}]} | releases[0].complete | no complete
            {"peer_id":"PID","address":"h:1","group":"g","releases":[{"manifest":"MMM","have":1,"total":2,"complete":false},{"manifest":"MMM","have":1,"total":2,"complete":false}]} | releases[1].manifest | a release twice
            """)
    void aBadAnnounceGets400NamingTheField(String body, String field, String why) throws Exception {
        RawHttps.Exchange raw = post(body.replace("PID", peerId(60).toString()).replace("MMM", M));

        assertThat(raw.status()).as(why).isEqualTo(400);
        JsonNode error = JSON.readTree(raw.body());
        assertThat(error.path("field").asText()).as(why).isEqualTo(field);
        assertThat(error.path("error").asText()).isNotBlank();
        assertThat(tracker.store().find(peerId(60), clock.instant())).isEmpty();
    }

    @Test
    void tooManyReleasesGet400NamingReleases() throws Exception {
        StringBuilder releases = new StringBuilder();
        for (int i = 0; i <= TrackerConfig.DEFAULT_MAX_RELEASES_PER_ANNOUNCE; i++) {
            releases.append(i == 0 ? "" : ",").append("{\"manifest\":\"").append(manifest("r" + i).hex())
                    .append("\",\"have\":0,\"total\":1,\"complete\":false}");
        }
        RawHttps.Exchange raw = post("{\"peer_id\":\"%s\",\"address\":\"h:1\",\"group\":\"g\",\"releases\":[%s]}"
                .formatted(peerId(61), releases));
        assertThat(raw.status()).isEqualTo(400);
        assertThat(JSON.readTree(raw.body()).path("field").asText()).isEqualTo("releases");
    }

    @Test
    void anOversizedBodyGets413AndTheConnectionCloses() throws Exception {
        RawHttps.Exchange raw = post("{\"pad\":\"" + "x".repeat(TrackerConfig.DEFAULT_MAX_REQUEST_BODY_BYTES) + "\"}");
        assertThat(raw.status()).isEqualTo(413);
        assertThat(JSON.readTree(raw.body()).path("field").asText()).isEqualTo("body");
    }

    @Test
    void anOverlongRequestLineGets400AndTheConnectionCloses() throws Exception {
        RawHttps.Exchange raw = exchange(("GET /v1/health?" + "x".repeat(2000) + " HTTP/1.1\r\nHost: t\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(raw.status()).isEqualTo(400);
        assertThat(JSON.readTree(raw.body()).path("field").asText()).isEqualTo("request");
    }

    @Test
    void wrongMethodGets405WithAllowAndUnknownPathGets404() throws Exception {
        RawHttps.Exchange wrong = exchange(RawHttps.request("GET", "/v1/announce", ""));
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.text()).containsIgnoringCase("allow: POST");
        assertThat(JSON.readTree(wrong.body()).path("field").asText()).isEqualTo("method");

        assertThat(exchange(RawHttps.request("DELETE", "/v1/health", "")).status()).isEqualTo(405);
        RawHttps.Exchange unknown = exchange(RawHttps.request("GET", "/v1/nothing", ""));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("error").asText()).contains("/v1/nothing");
    }

    @Test
    void healthAndSwarmsReportLivePeersAndAConnectionServesSeveralRequests() throws Exception {
        Digest m = manifest("observed");
        agentA.announce(leecher(70, "paris", m));
        agentA.announce(new AnnounceRequest(peerId(71), new PeerAddress("10.1.1.1", 7071), "lyon",
                List.of(ReleaseProgress.complete(m, 10)), AnnounceEvent.UPDATE));

        // Keep-alive: two requests on one connection, the second asks to close.
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write("GET /v1/health HTTP/1.1\r\nHost: tracker\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        both.write(RawHttps.request("GET", "/v1/swarms", ""));
        RawHttps.Exchange raw = exchange(both.toByteArray());

        String[] parts = raw.text().split("HTTP/1.1 ");
        assertThat(parts).hasSize(3);
        JsonNode health = JSON.readTree(parts[1].substring(parts[1].indexOf("\r\n\r\n") + 4));
        assertThat(health.path("status").asText()).isEqualTo("ok");
        assertThat(health.path("peers").asInt()).isEqualTo(tracker.store().count()).isGreaterThanOrEqualTo(2);
        JsonNode swarms = JSON.readTree(parts[2].substring(parts[2].indexOf("\r\n\r\n") + 4)).path("swarms");
        assertThat(swarms.findParents("manifest")).filteredOn(s -> s.path("manifest").asText().equals(m.hex()))
                .singleElement().satisfies(s -> {
                    assertThat(s.path("peers").asInt()).isEqualTo(2);
                    assertThat(s.path("seeders").asInt()).isEqualTo(1);
                });
    }

    /** The handshake fails, the client receives no byte of the API, and nothing is recorded. */
    private static void assertRefused(TlsFiles files, int peer) throws Exception {
        SslContext tls = TlsContexts.client(files, Set.of(Role.TRACKER));
        String body = "{\"peer_id\":\"%s\",\"address\":\"h:1\",\"group\":\"g\",\"releases\":[]}".formatted(peerId(peer));
        RawHttps.Exchange raw = RawHttps.exchange(group, tls, tracker.address(), RawHttps.request("POST", "/v1/announce", body), WAIT);
        assertThat(raw.received()).as("bytes a refused client received").isEmpty();

        try (TrackerClient client = new TrackerClient(TrackerClientConfig.defaults("127.0.0.1", tracker.address().getPort(), files))) {
            assertThatThrownBy(() -> client.announce(leecher(peer, "paris", manifest("refused"))))
                    // Usually the server's alert ("TLS ... failed"); a reset may beat the alert to the client.
                    .isInstanceOf(TrackerException.class).isNotInstanceOf(TrackerRejectedException.class);
        }
        assertThat(tracker.store().find(peerId(peer), clock.instant())).isEmpty();
    }

    private static AnnounceRequest leecher(int n, String group, Digest m) {
        return new AnnounceRequest(peerId(n), new PeerAddress("127.0.0." + n, 7000 + n), group,
                List.of(new ReleaseProgress(m, 1, 10, false)), AnnounceEvent.UPDATE);
    }

    private static RawHttps.Exchange post(String body) throws Exception {
        return exchange(RawHttps.request("POST", "/v1/announce", body));
    }

    private static RawHttps.Exchange exchange(byte[] request) throws Exception {
        SslContext tls = TlsContexts.client(TlsFiles.in(certs, "agent-a"), Set.of(Role.TRACKER));
        return RawHttps.exchange(group, tls, tracker.address(), request, WAIT);
    }

    private static TrackerClient client(String name) throws Exception {
        return new TrackerClient(TrackerClientConfig.defaults("127.0.0.1", tracker.address().getPort(), TlsFiles.in(certs, name)));
    }
}
