package dev.caravan.agent.seed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.agent.seed.ChokeDecision.Choke;
import dev.caravan.agent.seed.ChokeDecision.Unchoke;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/** Random peer sets and event sequences against a model of what the connection layer sees. */
class UploadSlotsPropertiesTest {

    private static final Duration ROTATION = Duration.ofSeconds(10);

    sealed interface Event {}

    record Interested(int peer) implements Event {}

    record NotInterested(int peer) implements Event {}

    record Disconnected(int peer) implements Event {}

    record Uploaded(int peer, long bytes) implements Event {}

    /** The clock moves one rotation period and the layer ticks: a rotation is due. */
    record Rotate() implements Event {}

    /** The layer ticks without the clock moving: no rotation is due. */
    record Poll() implements Event {}

    @Provide
    Arbitrary<List<Event>> events() {
        Arbitrary<Integer> peer = Arbitraries.integers().between(0, 24);
        return Arbitraries.<Event>frequencyOf(
                        Tuple.of(6, peer.map(p -> (Event) new Interested(p))),
                        Tuple.of(1, peer.map(p -> (Event) new NotInterested(p))),
                        Tuple.of(1, peer.map(p -> (Event) new Disconnected(p))),
                        Tuple.of(4, Combinators.combine(peer, Arbitraries.longs().between(0, 1 << 24))
                                .as((p, b) -> (Event) new Uploaded(p, b))),
                        Tuple.of(4, Arbitraries.just((Event) new Rotate())),
                        Tuple.of(1, Arbitraries.just((Event) new Poll())))
                .list().ofMaxSize(300);
    }

    @Property(tries = 1000)
    void slotsAreBoundedWorkConservingAndEveryInterestedPeerGetsATurnInTime(
            @ForAll @IntRange(min = 1, max = 5) int regular,
            @ForAll @IntRange(min = 0, max = 2) int optimistic,
            @ForAll("events") List<Event> events) {
        FakeNanoClock clock = new FakeNanoClock();
        UploadSlots<Integer> slots = new UploadSlots<>(new UploadSlotConfig(regular, ROTATION, optimistic), clock);
        int capacity = regular + optimistic;

        Set<Integer> interested = new HashSet<>();
        Set<Integer> unchokedAsSent = new HashSet<>(); // what the peers were told
        Map<Integer, Wait> waits = new HashMap<>();
        int rotations = 0;

        for (Event event : events) {
            List<ChokeDecision<Integer>> decisions = switch (event) {
                case Interested e -> {
                    interested.add(e.peer());
                    yield slots.interested(e.peer());
                }
                case NotInterested e -> {
                    interested.remove(e.peer());
                    yield slots.notInterested(e.peer());
                }
                case Disconnected e -> {
                    interested.remove(e.peer());
                    unchokedAsSent.remove(e.peer()); // nothing is sent to a peer that is gone
                    yield slots.disconnected(e.peer());
                }
                case Uploaded e -> {
                    slots.uploaded(e.peer(), e.bytes());
                    yield List.of();
                }
                case Rotate r -> {
                    clock.advance(ROTATION);
                    rotations++;
                    yield slots.tick();
                }
                case Poll p -> slots.tick();
            };

            for (ChokeDecision<Integer> d : decisions) {
                switch (d) {
                    case Unchoke<Integer> u -> {
                        assertThat(interested).as("unchoked a peer that is not interested").contains(u.peer());
                        assertThat(unchokedAsSent.add(u.peer())).as("unchoked twice: %s", u.peer()).isTrue();
                    }
                    case Choke<Integer> c ->
                            assertThat(unchokedAsSent.remove(c.peer())).as("choked a choked peer").isTrue();
                }
            }

            assertThat(slots.unchoked()).isEqualTo(unchokedAsSent);
            assertThat(unchokedAsSent).hasSizeLessThanOrEqualTo(capacity);
            assertThat(interested).containsAll(unchokedAsSent);
            // A peer that leaves frees its slot at once: no slot idles while someone waits.
            assertThat(unchokedAsSent).hasSize(Math.min(interested.size(), capacity));

            // Starvation: a peer that starts waiting with n peers interested is unchoked within
            // ceil(n / capacity) rotations.
            waits.keySet().retainAll(interested);
            waits.keySet().removeAll(unchokedAsSent);
            for (int peer : interested) {
                if (!unchokedAsSent.contains(peer)) {
                    waits.putIfAbsent(peer, new Wait(rotations, interested.size()));
                }
            }
            for (Map.Entry<Integer, Wait> w : waits.entrySet()) {
                int bound = Math.ceilDiv(w.getValue().interestedAtStart(), capacity);
                assertThat(rotations - w.getValue().rotationAtStart())
                        .as("peer %s has waited too many rotations", w.getKey())
                        .isLessThan(bound);
            }
        }
    }

    record Wait(int rotationAtStart, int interestedAtStart) {}
}
