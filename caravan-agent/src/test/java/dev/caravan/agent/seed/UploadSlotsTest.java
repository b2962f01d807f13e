package dev.caravan.agent.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.agent.seed.ChokeDecision.Choke;
import dev.caravan.agent.seed.ChokeDecision.Unchoke;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UploadSlotsTest {

    private static final Duration ROTATION = Duration.ofSeconds(10);

    private final FakeNanoClock clock = new FakeNanoClock();
    /** Two regular slots and one optimistic: three peers at once. */
    private final UploadSlots<String> slots = new UploadSlots<>(new UploadSlotConfig(2, ROTATION, 1), clock);

    @Test
    void interestedPeersTakeFreeSlotsAtOnceAndTheRestWait() {
        assertThat(slots.interested("a")).containsExactly(new Unchoke<>("a"));
        assertThat(slots.interested("b")).containsExactly(new Unchoke<>("b"));
        assertThat(slots.interested("c")).containsExactly(new Unchoke<>("c"));
        assertThat(slots.interested("d")).isEmpty();
        assertThat(slots.interested("e")).isEmpty();

        assertThat(slots.unchoked()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(slots.waiting()).containsExactly("d", "e");
        assertThat(slots.interested("a")).isEmpty(); // repeated: nothing changes
        assertThat(slots.interested("d")).isEmpty();
        assertThat(slots.waiting()).containsExactly("d", "e");
    }

    @Test
    void aPeerThatDisconnectsFreesItsSlotInTheSameCall() {
        interested("a", "b", "c", "d", "e");

        assertThat(slots.disconnected("b")).containsExactly(new Unchoke<>("d"));
        assertThat(slots.unchoked()).containsExactlyInAnyOrder("a", "c", "d");
        assertThat(slots.disconnected("e")).isEmpty(); // was waiting: nothing to send
        assertThat(slots.waiting()).isEmpty();
        assertThat(slots.disconnected("nobody")).isEmpty();
    }

    @Test
    void aPeerThatLosesInterestIsChokedAndItsSlotPassesOn() {
        interested("a", "b", "c", "d");

        assertThat(slots.notInterested("a")).containsExactly(new Choke<>("a"), new Unchoke<>("d"));
        assertThat(slots.unchoked()).containsExactlyInAnyOrder("b", "c", "d");
    }

    @Test
    void notInterestedPeersAreNeverUnchoked() {
        slots.interested("x");
        slots.notInterested("x");
        slots.uploaded("x", 1000);
        slots.notInterested("y"); // never said anything else

        clock.advance(ROTATION);
        assertThat(slots.tick()).isEmpty();
        assertThat(slots.unchoked()).isEmpty();
        assertThat(slots.interested("a")).containsExactly(new Unchoke<>("a"));
        assertThat(slots.unchoked()).containsExactly("a");
    }

    @Test
    void rotationWaitsForThePeriod() {
        interested("a", "b", "c", "d");

        clock.advance(ROTATION.minusNanos(1));
        assertThat(slots.tick()).isEmpty();
        clock.advanceNanos(1);
        assertThat(slots.tick()).hasSize(2);
        clock.advance(ROTATION.minusNanos(1));
        assertThat(slots.tick()).isEmpty();
    }

    @Test
    void aRotationChokesThePeerThatReceivedMostDuringItsTurn() {
        interested("a", "b", "c", "d");
        slots.uploaded("a", 100);
        slots.uploaded("b", 500);
        slots.uploaded("c", 10);
        slots.uploaded("d", 1_000_000); // waiting: not counted

        clock.advance(ROTATION);
        assertThat(slots.tick()).containsExactly(new Choke<>("b"), new Unchoke<>("d"));
        assertThat(slots.waiting()).containsExactly("b");

        // a's turn continues and it has now received the most (100 + 50 > 60 for d, 10 for c).
        slots.uploaded("a", 50);
        slots.uploaded("d", 60);
        clock.advance(ROTATION);
        assertThat(slots.tick()).containsExactly(new Choke<>("a"), new Unchoke<>("b"));
    }

    @Test
    void onATieThePeerThatHeldItsSlotLongestGoes() {
        interested("a", "b", "c", "d", "e");

        clock.advance(ROTATION);
        assertThat(slots.tick()).containsExactly(
                new Choke<>("a"), new Choke<>("b"), new Unchoke<>("d"), new Unchoke<>("e"));
        clock.advance(ROTATION);
        assertThat(slots.tick()).containsExactly(
                new Choke<>("c"), new Choke<>("d"), new Unchoke<>("a"), new Unchoke<>("b"));
    }

    @Test
    void withoutWaitersARotationChangesNothing() {
        interested("a", "b");
        slots.uploaded("a", 1 << 20);

        clock.advance(ROTATION.multipliedBy(3));
        assertThat(slots.tick()).isEmpty();
        assertThat(slots.unchoked()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aLateTickRotatesOnceAndTheNextRotationIsAFullPeriodLater() {
        interested("a", "b", "c", "d", "e", "f", "g");

        clock.advance(ROTATION.multipliedBy(5));
        assertThat(slots.tick()).hasSize(6);
        assertThat(slots.tick()).isEmpty();
        clock.advance(ROTATION.minusNanos(1));
        assertThat(slots.tick()).isEmpty();
    }

    @Test
    void bytesSentToAChokedPeerAreIgnoredAndNegativeBytesRefused() {
        slots.uploaded("stranger", 10);
        assertThat(slots.unchoked()).isEmpty();
        assertThatThrownBy(() -> slots.uploaded("a", -1)).hasMessage("uploaded bytes is -1; must not be negative");
    }

    @Test
    void worksWithoutOptimisticSlots() {
        UploadSlots<Integer> one = new UploadSlots<>(new UploadSlotConfig(1, ROTATION, 0), clock);
        assertThat(one.interested(1)).containsExactly(new Unchoke<>(1));
        assertThat(one.interested(2)).isEmpty();
        clock.advance(ROTATION);
        assertThat(one.tick()).containsExactly(new Choke<>(1), new Unchoke<>(2));
    }

    @Test
    void configDefaultsAndValidation() {
        assertThat(UploadSlotConfig.DEFAULT).isEqualTo(new UploadSlotConfig(4, Duration.ofSeconds(10), 1));
        assertThat(UploadSlotConfig.DEFAULT.capacity()).isEqualTo(5);
        assertThatThrownBy(() -> new UploadSlotConfig(0, ROTATION, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slots is 0");
        assertThatThrownBy(() -> new UploadSlotConfig(4, Duration.ZERO, 1)).hasMessageContaining("rotation is PT0S");
        assertThatThrownBy(() -> new UploadSlotConfig(4, Duration.ofSeconds(-1), 1))
                .hasMessageContaining("rotation is PT-1S");
        assertThatThrownBy(() -> new UploadSlotConfig(4, ROTATION, -1)).hasMessageContaining("optimisticSlots is -1");
        assertThatThrownBy(() -> new UploadSlotConfig(4, null, 1)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("rotation");
        assertThatThrownBy(() -> new UploadSlotConfig(Integer.MAX_VALUE, ROTATION, 1))
                .hasMessageContaining("slots + optimisticSlots is 2147483648");
    }

    private void interested(String... peers) {
        for (String p : peers) {
            slots.interested(p);
        }
    }
}
