package dev.caravan.tracker;

import static dev.caravan.tracker.TestPeers.manifest;
import static dev.caravan.tracker.TestPeers.peerId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.wire.tls.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Addresses, configs and the JSON forms: what they accept, and how they refuse the rest. */
class ValuesTest {
    private static final TlsFiles TLS = TlsFiles.in(Path.of("certs"), "tracker-1");

    @Test
    void addressesParseAndPrintIpv4Ipv6AndNames() {
        assertThat(PeerAddress.parse("10.0.0.1:7000")).isEqualTo(new PeerAddress("10.0.0.1", 7000));
        assertThat(PeerAddress.parse("[fd00::7]:7000")).isEqualTo(new PeerAddress("fd00::7", 7000));
        assertThat(new PeerAddress("fd00::7", 7000)).hasToString("[fd00::7]:7000");
        assertThat(PeerAddress.parse("agent-1.example:1")).hasToString("agent-1.example:1");
        assertThat(PeerAddress.wildcard(5).isWildcard()).isTrue();
        assertThat(PeerAddress.parse("[::]:5").isWildcard()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "host:", ":7000", "fd00::7:7000", "[fd00::7]7000", "h:0", "h:65536", "h:7x", "a b:1"})
    void badAddressesAreRefused(String text) {
        assertThatThrownBy(() -> PeerAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configDefaultsAndTheIntervalCarriesTheTtl() {
        TrackerConfig c = TrackerConfig.defaults("0.0.0.0", 7070, TLS);
        assertThat(c.announceInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.peerTtl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.maxPeersPerAnswer()).isEqualTo(50);
        assertThat(c.withAnnounceInterval(Duration.ofSeconds(10)).peerTtl()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void badSettingsFailNamingTheSettingAndValue() {
        TrackerConfig c = TrackerConfig.defaults("0.0.0.0", 7070, TLS);
        assertThatThrownBy(() -> c.withPeerTtl(Duration.ofSeconds(30)))
                .hasMessageContaining("peerTtl must be longer than announceInterval (PT30S)").hasMessageContaining("got PT30S");
        assertThatThrownBy(() -> c.withAnnounceInterval(Duration.ofMillis(1500))).hasMessageContaining("announceInterval").hasMessageContaining("PT1.5S");
        assertThatThrownBy(() -> c.withMaxPeersPerAnswer(0)).hasMessageContaining("maxPeersPerAnswer must be in 1..1000, got 0");
        assertThatThrownBy(() -> c.withMaxRequestBodyBytes(10)).hasMessageContaining("maxRequestBodyBytes").hasMessageContaining("got 10");
        assertThatThrownBy(() -> TrackerConfig.defaults("0.0.0.0", 70_000, TLS)).hasMessageContaining("port must be in 0..65535").hasMessageContaining("70000");
        assertThatThrownBy(() -> TrackerClientConfig.defaults("t", 7070, TLS).withTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("connectTimeout must be positive, got PT0S");
    }

    @Test
    void anAnnounceSurvivesItsJsonForm() throws Exception {
        AnnounceRequest request = new AnnounceRequest(peerId(1), new PeerAddress("fd00::1", 7000), "paris",
                List.of(new ReleaseProgress(manifest("a"), 3, 9, false), ReleaseProgress.complete(manifest("b"), 4)),
                AnnounceEvent.STARTED);
        assertThat(AnnounceRequestJson.read(AnnounceRequestJson.write(request), 64)).isEqualTo(request);
    }

    @Test
    void anAnswerSurvivesItsJsonFormInOrder() throws Exception {
        AnnounceResponse response = new AnnounceResponse(Duration.ofSeconds(30), Map.of(manifest("a"), List.of(
                new SwarmPeer(peerId(2), new PeerAddress("10.0.0.2", 7002), "paris", true),
                new SwarmPeer(peerId(3), new PeerAddress("fd00::3", 7003), "lyon", false))));
        assertThat(AnnounceResponseJson.read(AnnounceResponseJson.write(response))).isEqualTo(response);
    }

    @Test
    void aMalformedAnswerIsATrackerException() {
        assertThatThrownBy(() -> AnnounceResponseJson.read("{\"interval_seconds\":0,\"peers\":{}}".getBytes()))
                .isExactlyInstanceOf(TrackerException.class).hasMessageContaining("interval_seconds");
        assertThatThrownBy(() -> AnnounceResponseJson.read("{\"interval_seconds\":30,\"peers\":{\"zz\":[]}}".getBytes()))
                .isExactlyInstanceOf(TrackerException.class);
    }

    @Test
    void aRejectionCarriesTheFieldTheTrackerNamed() {
        TrackerRejectedException e = AnnounceResponseJson.rejection("announce", 400, AnnounceResponseJson.error("group is bad", "group"));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.field()).isEqualTo("group");
        assertThat(e).hasMessage("tracker refused the announce with 400 (group): group is bad");
        assertThat(AnnounceResponseJson.rejection("enrollment", 404, "<html>".getBytes()).field()).isNull();
    }
}
