package dev.caravan.tracker;

import static dev.caravan.tracker.TestPeers.manifest;
import static dev.caravan.tracker.TestPeers.peerId;
import static dev.caravan.tracker.TestPeers.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.core.Digest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryPeerStoreTest {
    private static final Duration TTL = Duration.ofSeconds(90);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final MemoryPeerStore store = new MemoryPeerStore(TTL);
    private final Digest m = manifest("store");

    @Test
    void aPeerIsLiveUntilItsTtlRunsOutAfterItsLastAnnounce() {
        store.announce(record(1, "paris", m, false), T0);
        store.announce(record(1, "paris", m, false), T0.plusSeconds(60));

        assertThat(store.peers(m, T0.plusSeconds(149))).hasSize(1);
        assertThat(store.peers(m, T0.plusSeconds(150))).isEmpty();
        assertThat(store.find(peerId(1), T0.plusSeconds(150))).isEmpty();
        assertThat(store.count()).as("held until expired").isEqualTo(1);
        assertThat(store.expire(T0.plusSeconds(150))).isEqualTo(1);
        assertThat(store.count()).isZero();
        assertThat(store.swarms(T0.plusSeconds(150))).isEmpty();
    }

    @Test
    void anAnnounceReplacesWhatThePeerHeldBefore() {
        Digest other = manifest("other");
        store.announce(record(1, "paris", m, false), T0);
        store.announce(PeerRecord.of(peerId(1), new PeerAddress("h", 1), "paris", "agent-1",
                List.of(ReleaseProgress.complete(other, 4))), T0);

        assertThat(store.peers(m, T0)).isEmpty();
        assertThat(store.peers(other, T0)).singleElement().matches(p -> p.isComplete(other));
        assertThat(store.swarms(T0)).containsExactly(new SwarmSummary(other, 1, 1));
    }

    @Test
    void aLivePeerIdBelongsToItsCertificateUntilItExpires() {
        PeerRecord mine = record(1, "paris", m, false);
        PeerRecord thief = new PeerRecord(peerId(1), new PeerAddress("6.6.6.6", 1), "paris", "agent-thief", mine.releases());
        store.announce(mine, T0);

        assertThat(store.announce(thief, T0.plusSeconds(89))).isFalse();
        assertThat(store.find(peerId(1), T0.plusSeconds(89))).contains(mine);
        assertThat(store.announce(thief, T0.plusSeconds(90))).as("after the owner expired").isTrue();
    }

    @Test
    void removeAndRemoveCertificateForgetAtOnce() {
        store.announce(record(1, "paris", m, false), T0);
        store.announce(record(2, "paris", m, true), T0);
        store.announce(new PeerRecord(peerId(3), new PeerAddress("h", 1), "lyon", "agent-1", record(3, "lyon", m, false).releases()), T0);

        assertThat(store.swarms(T0)).containsExactly(new SwarmSummary(m, 3, 1));
        assertThat(store.remove(peerId(2))).isTrue();
        assertThat(store.remove(peerId(2))).isFalse();
        assertThat(store.removeCertificate("agent-1")).isEqualTo(2);
        assertThat(store.peers(m, T0)).isEmpty();
        assertThat(store.count()).isZero();
    }

    @Test
    void theTtlMustBePositive() {
        assertThatThrownBy(() -> new MemoryPeerStore(Duration.ZERO)).hasMessageContaining("ttl must be positive, got PT0S");
    }
}
