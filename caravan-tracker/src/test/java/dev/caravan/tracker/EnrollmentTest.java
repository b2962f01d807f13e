package dev.caravan.tracker;

import static dev.caravan.tracker.TestPeers.peerId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.testkit.LeakCheck;
import dev.caravan.testkit.MutableClock;
import dev.caravan.wire.tls.CertificateAuthority;
import dev.caravan.wire.tls.CertificateRequests;
import dev.caravan.wire.tls.JoinToken;
import dev.caravan.wire.tls.PeerIdentity;
import dev.caravan.wire.tls.RevocationList;
import dev.caravan.wire.tls.Role;
import dev.caravan.wire.tls.TlsContexts;
import dev.caravan.wire.tls.TlsFiles;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enrollment by join token and revocation at a real tracker on 127.0.0.1: each protection is shown
 * by the attack it stops.
 */
@ExtendWith(LeakCheck.class)
class EnrollmentTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    Path ca;
    Path certs;
    MutableClock clock;
    TrackerServer tracker;
    String address;
    EventLoopGroup group;

    @BeforeEach
    void setUp() throws Exception {
        ca = dir.resolve("ca");
        certs = dir.resolve("certs");
        CertificateAuthority.init(ca);
        CertificateAuthority.issue(ca, "tracker-1", Role.TRACKER, certs, CertificateAuthority.DEFAULT_VALIDITY);
        clock = new MutableClock(Instant.now());
        tracker = start(ca, TlsFiles.in(certs, "tracker-1"), dir.resolve("state"));
        address = "127.0.0.1:" + tracker.address().getPort();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    private TrackerServer start(Path caDir, TlsFiles tls, Path state) throws Exception {
        return start(caDir, tls, state, 0);
    }

    private TrackerServer start(Path caDir, TlsFiles tls, Path state, int port) throws Exception {
        TrackerServer t = new TrackerServer(TrackerConfig.defaults("127.0.0.1", port, tls).withClock(clock).withIoThreads(1)
                .withSecurity(TrackerSecurityConfig.enrolling(caDir, state).withRevocationListRefresh(Duration.ofSeconds(1))));
        t.start();
        return t;
    }

    @AfterEach
    void tearDown() {
        tracker.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static TrackerClientConfig timeouts() {
        return TrackerClientConfig.defaults("unused", 1, TlsFiles.in(Path.of("unused"), "unused"));
    }

    @Test
    void aTokenEnrollsOnceWithAKeyMadeHereAndIsRefusedTheSecondTime() throws Exception {
        String token = CertificateAuthority.joinToken(ca, address, "pc1", Duration.ofHours(1));
        TlsFiles files = TlsFiles.in(dir.resolve("pc1"), "pc1");

        X509Certificate cert = TrackerClient.enroll(token, files, timeouts());

        PeerIdentity who = PeerIdentity.of(cert);
        assertThat(who.name()).isEqualTo("pc1");
        assertThat(who.role()).isEqualTo(Role.AGENT);
        assertThat(Duration.between(Instant.now(), who.notAfter())).isBetween(Duration.ofHours(23), Duration.ofHours(24));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.privateKey()))).isEqualTo("rw-------");
        assertThat(Files.readString(files.ca())).isEqualTo(Files.readString(ca.resolve("ca.crt")));
        assertAnnounces(files);

        assertRefusedToAnotherKey(token);
    }

    /** The certificate in {@code files} works: it announces. */
    private void assertAnnounces(TlsFiles files) throws Exception {
        try (TrackerClient client = new TrackerClient(TrackerClientConfig.defaults("127.0.0.1", tracker.address().getPort(), files))) {
            assertThat(client.announce(announce(1)).interval()).isPositive();
        }
    }

    /** Anyone else with the spent token gets nothing: their key is not the one it enrolled. */
    private void assertRefusedToAnotherKey(String token) {
        TlsFiles thief = TlsFiles.in(dir.resolve("thief"), "pc1");
        assertThatThrownBy(() -> TrackerClient.enroll(token, thief, timeouts()))
                .isInstanceOf(TrackerRejectedException.class)
                .hasMessage("tracker refused the enrollment with 403 (token): join token refused: it was already used; ask for a new one");
        assertThat(thief.certificate()).doesNotExist();
    }

    @Test
    void aMachineWhoseAnswerWasLostEnrollsWithTheSameTokenAndGetsTheSameCertificateEvenAfterATrackerRestart() throws Exception {
        String token = CertificateAuthority.joinToken(ca, address, "pc1", Duration.ofHours(1));
        TlsFiles files = TlsFiles.in(dir.resolve("pc1"), "pc1");
        KeyPair keys = files.enrollmentKeys(JoinToken.read(token).id());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.pendingKey()))).isEqualTo("rw-------");
        X509Certificate issued = enrollAndLoseTheAnswer(token, keys);
        assertThat(files.certificate()).doesNotExist();
        tracker.close();
        tracker = start(ca, TlsFiles.in(certs, "tracker-1"), dir.resolve("state"), Integer.parseInt(address.split(":")[1]));

        X509Certificate cert = TrackerClient.enroll(token, files, timeouts());

        assertThat(cert.getSerialNumber()).as("the certificate issued the first time, not a second one")
                .isEqualTo(issued.getSerialNumber());
        assertThat(cert.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(files.pendingKey()).doesNotExist();
        assertAnnounces(files);
        assertRefusedToAnotherKey(token);
        // a tracker of an earlier version reads id TAB expiry lines and skips the rest: it forgets no spent token
        JoinToken t = JoinToken.read(token);
        assertThat(Files.readAllLines(dir.resolve("state").resolve(SpentTokens.FILE))).contains(t.id() + "\t" + t.expiresAt())
                .allMatch(l -> l.split("\t").length == 2 || l.startsWith("certificate\t" + t.id() + "\t"));
    }

    @Test
    void aSpentTokensFileOfAnEarlierVersionKeepsItsTokensSpent() throws Exception {
        String token = CertificateAuthority.joinToken(ca, address, "pc1", Duration.ofHours(1));
        JoinToken t = JoinToken.read(token);
        tracker.close();
        Files.writeString(dir.resolve("state").resolve(SpentTokens.FILE), t.id() + "\t" + t.expiresAt() + "\n");
        tracker = start(ca, TlsFiles.in(certs, "tracker-1"), dir.resolve("state"), Integer.parseInt(address.split(":")[1]));

        assertRefusedToAnotherKey(token);
    }

    @Test
    void aLostAnswerIsNotSentAgainOnceItsCertificateHasExpired() throws Exception {
        String token = CertificateAuthority.joinToken(ca, address, "pc1", Duration.ofDays(3));
        TlsFiles files = TlsFiles.in(dir.resolve("pc1"), "pc1");
        enrollAndLoseTheAnswer(token, files.enrollmentKeys(JoinToken.read(token).id()));
        clock.advance(Duration.ofHours(25)); // enrolled certificates live 24 h; the token 3 days

        assertThatThrownBy(() -> TrackerClient.enroll(token, files, timeouts()))
                .isInstanceOf(TrackerRejectedException.class)
                .hasMessageContaining("already used, and the certificate it enrolled has expired");
        assertThat(files.certificate()).doesNotExist();
    }

    @Test
    void aLostAnswerIsNotSentAgainOnceItsCertificateWasRevoked() throws Exception {
        String token = CertificateAuthority.joinToken(ca, address, "pc1", Duration.ofHours(1));
        KeyPair keys = TlsFiles.in(dir.resolve("pc1"), "pc1").enrollmentKeys(JoinToken.read(token).id());
        enrollAndLoseTheAnswer(token, keys);

        RevocationList.revoke(ca, "pc1", Instant.now());

        Awaitility.await().atMost(WAIT).until(() -> {
            RawHttps.Exchange retry = enroll(token, keys);
            return retry.status() == 403 && retry.body().contains("the certificate it enrolled has been revoked");
        });
    }

    private RawHttps.Exchange enroll(String token, KeyPair keys) throws Exception {
        return RawHttps.exchange(group, TlsContexts.joiningClient(JoinToken.read(token).caFingerprint()),
                tracker.address(), RawHttps.request("POST", "/v1/enroll",
                        new String(EnrollmentJson.request(token, CertificateRequests.create(keys, "pc1")), StandardCharsets.UTF_8)),
                WAIT);
    }

    /** Sends pc1's enrollment request signed by {@code keys}; the answer never reaches pc1. Returns what it held. */
    private X509Certificate enrollAndLoseTheAnswer(String token, KeyPair keys) throws Exception {
        RawHttps.Exchange lost = enroll(token, keys);
        assertThat(lost.status()).isEqualTo(200);
        String pem = EnrollmentJson.readAnswer(lost.body().getBytes(StandardCharsets.UTF_8)).certificatePem();
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void aTokenIsSpentForGoodAcrossATrackerRestart() throws Exception {
        String token = CertificateAuthority.joinToken(ca, address, "pc1", Duration.ofHours(1));
        TrackerClient.enroll(token, TlsFiles.in(dir.resolve("pc1"), "pc1"), timeouts());
        tracker.close();
        tracker = start(ca, TlsFiles.in(certs, "tracker-1"), dir.resolve("state"), Integer.parseInt(address.split(":")[1]));
        assertThatThrownBy(() -> TrackerClient.enroll(token, TlsFiles.in(dir.resolve("again"), "pc1"), timeouts()))
                .isInstanceOf(TrackerRejectedException.class)
                .hasMessageContaining("already used");
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        String token = CertificateAuthority.joinToken(ca, address, "pc1", Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(11));
        TlsFiles files = TlsFiles.in(dir.resolve("pc1"), "pc1");
        assertThatThrownBy(() -> TrackerClient.enroll(token, files, timeouts()))
                .isInstanceOf(TrackerRejectedException.class)
                .hasMessageContaining("expired");
        assertThat(files.certificate()).doesNotExist();
    }

    @Test
    void aTokenWithAnAlteredNameIsRefused() throws Exception {
        String token = CertificateAuthority.joinToken(ca, address, "pc1", Duration.ofHours(1));
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.US_ASCII).replace("name=pc1", "name=pc2");
        String altered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.getBytes(StandardCharsets.US_ASCII)) + "." + parts[2];
        assertThat(JoinToken.read(altered).name()).isEqualTo("pc2");

        assertThatThrownBy(() -> TrackerClient.enroll(altered, TlsFiles.in(dir.resolve("pc2"), "pc2"), timeouts()))
                .isInstanceOf(TrackerRejectedException.class)
                .hasMessageContaining("signature is not the CA's");
    }

    @Test
    void aTokenForgedWithAnotherKeyButNamingThisCaIsRefused() throws Exception {
        Path other = dir.resolve("other-ca");
        CertificateAuthority.init(other);
        String forged = CertificateAuthority.joinToken(other, address, "pc1", Duration.ofHours(1));
        // claim this deployment's CA, keep the other key's signature
        String[] parts = forged.split("\\.");
        String fingerprint = JoinToken.fingerprint(TlsFiles.in(certs, "tracker-1").readCa());
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.US_ASCII)
                .replaceAll("ca=[0-9a-f]{64}", "ca=" + fingerprint);
        String claimed = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.getBytes(StandardCharsets.US_ASCII)) + "." + parts[2];

        assertThatThrownBy(() -> TrackerClient.enroll(claimed, TlsFiles.in(dir.resolve("pc1"), "pc1"), timeouts()))
                .isInstanceOf(TrackerRejectedException.class)
                .hasMessageContaining("signature is not the CA's");
    }

    @Test
    void aJoiningMachineRefusesATrackerOfAnotherCaAndNeverSendsItTheToken() throws Exception {
        Path rogueCa = dir.resolve("rogue-ca");
        CertificateAuthority.init(rogueCa);
        CertificateAuthority.issue(rogueCa, "tracker-1", Role.TRACKER, dir.resolve("rogue"), CertificateAuthority.DEFAULT_VALIDITY);
        Path rogueState = dir.resolve("rogue-state");
        try (TrackerServer rogue = start(rogueCa, TlsFiles.in(dir.resolve("rogue"), "tracker-1"), rogueState)) {
            String token = CertificateAuthority.joinToken(ca, "127.0.0.1:" + rogue.address().getPort(), "pc1", Duration.ofHours(1));

            assertThatThrownBy(() -> TrackerClient.enroll(token, TlsFiles.in(dir.resolve("pc1"), "pc1"), timeouts()))
                    .isInstanceOf(TrackerException.class)
                    .hasMessageContaining("does not come from the CA the join token names");
            assertThat(rogueState.resolve(SpentTokens.FILE)).doesNotExist();
        }
        // the token is still good at the true tracker
        String token = CertificateAuthority.joinToken(ca, address, "pc1", Duration.ofHours(1));
        assertThat(PeerIdentity.of(TrackerClient.enroll(token, TlsFiles.in(dir.resolve("pc1"), "pc1"), timeouts())).name())
                .isEqualTo("pc1");
    }

    @Test
    void aClientWithoutACertificateMayEnrollButNotAnnounceOrReadTheSwarms() throws Exception {
        SslContext noCertificate = SslContextBuilder.forClient().protocols(TlsContexts.TLS_1_3)
                .trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE).build();
        String body = "{\"peer_id\":\"" + peerId(1) + "\",\"address\":\"h:1\",\"group\":\"g\",\"event\":\"started\",\"releases\":[]}";
        for (String[] request : List.of(new String[] {"POST", "/v1/announce"}, new String[] {"GET", "/v1/swarms"},
                new String[] {"GET", "/v1/crl"}, new String[] {"POST", "/v1/renew"})) {
            RawHttps.Exchange raw = RawHttps.exchange(group, noCertificate, tracker.address(),
                    RawHttps.request(request[0], request[1], body), WAIT);
            assertThat(raw.handshakeSucceeded()).isTrue();
            assertThat(raw.status()).as(request[1]).isEqualTo(403);
            assertThat(raw.body()).contains("an agent certificate is required");
        }
        assertThat(tracker.store().count()).isZero();
    }

    @Test
    void aRevokedAgentIsRefusedByTheTrackerAndItsPeersAreNoLongerHandedOut() throws Exception {
        TlsFiles pc1 = TlsFiles.in(dir.resolve("pc1"), "pc1");
        TrackerClient.enroll(CertificateAuthority.joinToken(ca, address, "pc1", Duration.ofHours(1)), pc1, timeouts());
        TlsFiles pc2 = TlsFiles.in(dir.resolve("pc2"), "pc2");
        TrackerClient.enroll(CertificateAuthority.joinToken(ca, address, "pc2", Duration.ofHours(1)), pc2, timeouts());
        int port = tracker.address().getPort();
        try (TrackerClient a = new TrackerClient(TrackerClientConfig.defaults("127.0.0.1", port, pc1));
                TrackerClient b = new TrackerClient(TrackerClientConfig.defaults("127.0.0.1", port, pc2))) {
            a.announce(announce(1));
            assertThat(b.announce(announce(2)).peers().values().iterator().next()).hasSize(1);

            RevocationList.Revoked revoked = RevocationList.revoke(ca, "pc1", Instant.now());
            assertThat(revoked.names()).containsExactly("pc1");

            Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThatThrownBy(() -> a.announce(announce(1)))
                    .isInstanceOf(TrackerException.class));
            assertThatThrownBy(() -> a.announce(announce(1))).hasMessageContaining("TLS");
            Map<?, List<SwarmPeer>> lists = b.announce(announce(2)).peers();
            assertThat(lists.values().iterator().next()).isEmpty();
            // and it cannot renew its way out
            assertThatThrownBy(() -> a.renew(dev.caravan.wire.tls.CertificateRequests.newKeyPair(), "pc1"))
                    .isInstanceOf(TrackerException.class);
        }
    }

    private static AnnounceRequest announce(int id) {
        return new AnnounceRequest(peerId(id), PeerAddress.wildcard(7000 + id), "g",
                List.of(new ReleaseProgress(TestPeers.manifest("r"), 0, 5, false)), AnnounceEvent.STARTED);
    }
}
