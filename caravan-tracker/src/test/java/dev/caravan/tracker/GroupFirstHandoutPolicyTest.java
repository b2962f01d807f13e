package dev.caravan.tracker;

import static dev.caravan.tracker.TestPeers.manifest;
import static dev.caravan.tracker.TestPeers.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.Digest;
import dev.caravan.wire.PeerId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The default hand-out policy: invariants over random swarms, and the orderings it promises. */
class GroupFirstHandoutPolicyTest {
    private static final Digest M = manifest("policy");

    /** A swarm member drawn for a property: id, group, complete. */
    record Member(int id, String group, boolean complete) {
        PeerRecord record() {
            return TestPeers.record(id, group, M, complete);
        }
    }

    @Property
    void answersAreBoundedUniqueNeverSelfAndSameGroupFirst(@ForAll("members") List<Member> swarm, @ForAll("member") Member me,
            @ForAll @IntRange(min = 1, max = 25) int max, @ForAll long seed) {
        PeerRecord announcer = me.record();
        List<PeerRecord> candidates = new ArrayList<>(swarm.stream().map(Member::record).toList());
        candidates.add(announcer); // the store returns the announcer too, just recorded

        List<PeerRecord> out = PeerHandoutPolicy.groupFirst(new Random(seed)).select(announcer, M, candidates, max);

        Set<PeerId> others = new HashSet<>();
        candidates.forEach(c -> others.add(c.peerId()));
        others.remove(announcer.peerId());
        assertThat(out).hasSize(Math.min(max, others.size()));
        assertThat(out).extracting(PeerRecord::peerId).doesNotHaveDuplicates().doesNotContain(announcer.peerId());
        assertThat(candidates).containsAll(out);
        int firstOther = indexOfFirst(out, p -> !p.group().equals(announcer.group()));
        assertThat(out.subList(firstOther, out.size())).as("no same-group peer after another group's")
                .allMatch(p -> !p.group().equals(announcer.group()));
        long sameGroupAvailable = candidates.stream()
                .filter(c -> c.group().equals(announcer.group()) && !c.peerId().equals(announcer.peerId()))
                .map(PeerRecord::peerId).distinct().count();
        assertThat(firstOther).as("same-group peers all taken before others").isEqualTo((int) Math.min(sameGroupAvailable, out.size()));
        assertUsefulFirst(out.subList(0, firstOther), announcer);
        assertUsefulFirst(out.subList(firstOther, out.size()), announcer);
    }

    @Example
    void aFetcherGetsSeedersFirstAndASeederGetsFetchersFirst() {
        List<PeerRecord> swarm = List.of(record(1, "paris", M, false), record(2, "paris", M, true), record(3, "lyon", M, true),
                record(4, "lyon", M, false), record(5, "paris", M, false));
        PeerHandoutPolicy policy = PeerHandoutPolicy.groupFirst(new Random(1));

        assertThat(policy.select(record(9, "paris", M, false), M, swarm, 10)).extracting(p -> p.peerId().bytes()[15])
                .startsWith((byte) 2).containsSubsequence((byte) 2, (byte) 3, (byte) 4).hasSize(5);
        List<PeerRecord> forSeeder = policy.select(record(9, "paris", M, true), M, swarm, 10);
        assertThat(forSeeder.subList(0, 2)).extracting(p -> p.peerId().bytes()[15]).containsExactlyInAnyOrder((byte) 1, (byte) 5);
        assertThat(forSeeder.subList(2, 5)).extracting(p -> p.peerId().bytes()[15]).containsExactly((byte) 2, (byte) 4, (byte) 3);
    }

    @Example
    void equivalentPeersShareTheListsFairly() {
        List<PeerRecord> swarm = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            swarm.add(record(i, "paris", M, false));
        }
        PeerHandoutPolicy policy = PeerHandoutPolicy.groupFirst(new Random(5));
        int[] listed = new int[41];
        for (int round = 0; round < 400; round++) {
            for (PeerRecord p : policy.select(record(99, "paris", M, false), M, swarm, 5)) {
                listed[p.peerId().bytes()[15]]++;
            }
        }
        // 2,000 places over 40 peers: 50 each on average; a fair shuffle keeps every peer well within 20..80.
        for (int i = 1; i <= 40; i++) {
            assertThat(listed[i]).as("lists naming peer %d", i).isBetween(20, 80);
        }
    }

    /** Within one group class, the peers useful to the announcer come before the others. */
    private static void assertUsefulFirst(List<PeerRecord> segment, PeerRecord announcer) {
        boolean seeder = announcer.isComplete(M);
        int firstUseless = indexOfFirst(segment, p -> p.isComplete(M) == seeder);
        assertThat(segment.subList(firstUseless, segment.size())).allMatch(p -> p.isComplete(M) == seeder);
    }

    private static int indexOfFirst(List<PeerRecord> list, java.util.function.Predicate<PeerRecord> test) {
        for (int i = 0; i < list.size(); i++) {
            if (test.test(list.get(i))) {
                return i;
            }
        }
        return list.size();
    }

    @Provide
    Arbitrary<List<Member>> members() {
        return member().list().ofMaxSize(40).uniqueElements(Member::id);
    }

    @Provide
    Arbitrary<Member> member() {
        return Combinators.combine(Arbitraries.integers().between(0, 60), Arbitraries.of("paris", "lyon", "nice"),
                Arbitraries.of(true, false)).as(Member::new);
    }
}
