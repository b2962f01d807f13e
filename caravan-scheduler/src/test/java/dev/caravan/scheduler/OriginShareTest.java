package dev.caravan.scheduler;

import static dev.caravan.scheduler.Releases.bits;
import static dev.caravan.scheduler.Releases.chunks;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Agents that see each other split the origin's chunks between them, and do not wait out the grace when settled. */
class OriginShareTest extends SchedulerTestSupport {
    private static final int CHUNKS = 200;
    private static final Map<String, Long> KEYS = Map.of("a", 11L, "b", 22L, "c", 33L);
    private final SchedulerConfig config = SchedulerConfig.DEFAULT
            .withOrigin(Duration.ofSeconds(2), Duration.ofSeconds(60), CHUNKS);

    /** The chunks agent {@code self} fetches from the origin once settled, with the others connected and holding nothing. */
    private Set<Integer> originChunksOf(String self) {
        var s = scheduler(chunks(CHUNKS, 64 * KIB), config);
        s.shareOrigin(KEYS.get(self), KEYS::get);
        for (String other : KEYS.keySet()) {
            if (!other.equals(self)) {
                s.peerConnected(other, "lan");
                s.peerBitfield(other, new BitSet());
            }
        }
        s.originAvailable(true);
        Set<Integer> fetched = new HashSet<>();
        originFetches(s.peersSettled(true)).forEach(b -> fetched.add(b.chunk()));
        return fetched;
    }

    @Test
    void agentsThatSeeEachOtherFetchEachChunkFromTheOriginExactlyOnce() {
        Set<Integer> a = originChunksOf("a");
        Set<Integer> b = originChunksOf("b");
        Set<Integer> c = originChunksOf("c");

        Set<Integer> union = new HashSet<>(a);
        union.addAll(b);
        union.addAll(c);
        assertThat(union).as("every chunk has an owner").hasSize(CHUNKS);
        assertThat(a.size() + b.size() + c.size()).as("and only one").isEqualTo(CHUNKS);
        assertThat(List.of(a.size(), b.size(), c.size())).as("shares are about even").allMatch(n -> n > CHUNKS / 6);
    }

    @Test
    void whenAnOwnerLeavesItsChunksBecomeOursAtOnce() {
        var s = scheduler(chunks(CHUNKS, 64 * KIB), config);
        s.shareOrigin(KEYS.get("a"), KEYS::get);
        s.peerConnected("b", "lan");
        s.peerBitfield("b", new BitSet());
        s.originAvailable(true);
        int alone = originFetches(s.peersSettled(true)).size();

        List<Block> more = originFetches(s.peerDisconnected("b"));

        assertThat(alone).isLessThan(CHUNKS);
        assertThat(alone + more.size()).isEqualTo(CHUNKS);
    }

    /** Agent a sharing the origin with b, connected and holding nothing, settled: returns a's first origin fetches. */
    private List<Block> settledWithIdleB(DownloadScheduler<String> s) {
        return settledWithIdleB(s, true);
    }

    /** The same, with b of protocol version 1 unless {@code bTellsFetching}. */
    private List<Block> settledWithIdleB(DownloadScheduler<String> s, boolean bTellsFetching) {
        s.shareOrigin(KEYS.get("a"), KEYS::get);
        s.peerConnected("b", "lan", bTellsFetching);
        s.peerBitfield("b", new BitSet());
        s.originAvailable(true);
        return originFetches(s.peersSettled(bTellsFetching));
    }

    @Test
    void aPeerThatShowsNoSignOfFetchingLosesItsShareOfTheOriginAfterTheOwnerPatience() {
        var s = scheduler(chunks(CHUNKS, 64 * KIB), config);
        int ours = settledWithIdleB(s).size();
        ticker.advance(config.ownerPatience().minusNanos(1));
        assertThat(originFetches(s.tick())).as("b's chunks while it may yet begin them").isEmpty();

        ticker.advance(Duration.ofNanos(1));
        List<Block> taken = originFetches(s.tick());

        // an idle connection (a stuck agent, or anyone with a certificate) would otherwise hold
        // b's chunks back from the origin until the fallback delay
        assertThat(ours).isLessThan(CHUNKS);
        assertThat(ours + taken.size()).as("every chunk, from the origin, once each").isEqualTo(CHUNKS);
    }

    /**
     * As {@link #settledWithIdleB}, with a's own chunks fetched, however many blocks the origin takes
     * at a time (it then has nothing in flight); returns them.
     */
    private Set<Integer> settledAndOursFetched(DownloadScheduler<String> s, boolean bTellsFetching) {
        Set<Integer> ours = new HashSet<>();
        Set<Block> inFlight = new HashSet<>(settledWithIdleB(s, bTellsFetching));
        while (!inFlight.isEmpty()) {
            Block b = inFlight.iterator().next();
            inFlight.remove(b);
            ours.add(b.chunk());
            inFlight.addAll(originFetches(s.originBlockReceived(b)));
        }
        return ours;
    }

    /** The chunks b owns, in a's view of a and b: those a did not take. */
    private static List<Integer> bsChunks(Set<Integer> ours) {
        return IntStream.range(0, CHUNKS).filter(c -> !ours.contains(c)).boxed().toList();
    }

    @Test
    void aPeerKeepsItsShareWhileItSaysFetchingAndLosesItWhenItStops() {
        var s = scheduler(chunks(CHUNKS, 64 * KIB), config);
        List<Integer> bs = bsChunks(settledAndOursFetched(s, true));
        for (int i = 0; i < 3; i++) { // b begins one of its chunks every patience less a nanosecond
            ticker.advance(config.ownerPatience().minusNanos(1));
            s.peerFetching("b", bs.get(i));
            assertThat(originFetches(s.tick())).as("b says FETCHING (%d): it keeps its chunks", i).isEmpty();
        }
        s.peerHave("b", bs.get(0));
        ticker.advance(config.ownerPatience().minusNanos(1));
        assertThat(originFetches(s.tick())).as("within the patience after its last FETCHING").isEmpty();
        ticker.advance(Duration.ofNanos(1));

        // its HAVE is no sign that it fetches from the origin: an agent cut off from the origin
        // still gets chunks from its peers
        assertThat(originFetches(s.tick())).as("b said no FETCHING for the patience: its chunks are ours, but those it began")
                .extracting(Block::chunk).hasSize(bs.size() - 3).doesNotContainAnyElementsOf(bs.subList(0, 3));
    }

    @Test
    void aPeerThatNeverSaysFetchingKeepsItsShareWhileItSendsHave() {
        var s = scheduler(chunks(CHUNKS, 64 * KIB), config);
        List<Integer> bs = bsChunks(settledAndOursFetched(s, false)); // b of protocol version 1
        ticker.advance(config.ownerPatience().minusNanos(1));
        s.peerHave("b", bs.get(0));
        ticker.advance(config.ownerPatience().minusNanos(1));
        assertThat(originFetches(s.tick())).as("a HAVE within the patience").isEmpty();
        ticker.advance(Duration.ofNanos(1));

        assertThat(originFetches(s.tick())).extracting(Block::chunk).hasSize(bs.size() - 1).doesNotContain(bs.get(0));
    }

    @Test
    void aPeerThatLostItsShareAndFetchesAgainTakesBackWhatWasNotBegun() {
        var s = scheduler(chunks(CHUNKS, 64 * KIB), SchedulerConfig.DEFAULT.withOrigin(Duration.ofSeconds(2), Duration.ofSeconds(60), 4));
        List<Integer> bs = bsChunks(settledAndOursFetched(s, true)); // four blocks at a time
        ticker.advance(config.ownerPatience());
        List<Block> begun = originFetches(s.tick()); // b is idle: we begin four of its chunks
        assertThat(begun).hasSize(4).extracting(Block::chunk).allMatch(bs::contains);

        s.peerFetching("b", bs.stream().filter(c -> begun.stream().noneMatch(b -> b.chunk() == c)).findFirst().orElseThrow());
        Set<Integer> fetched = new HashSet<>();
        for (Block b : begun) {
            originFetches(s.originBlockReceived(b)).forEach(next -> fetched.add(next.chunk()));
        }

        assertThat(fetched).as("after b's FETCHING, only the chunks we had begun").isEmpty();
    }

    @Test
    void settledPeersEndTheGraceAndOnlyThen() {
        var s = scheduler(chunks(4, 64 * KIB), config);
        s.originAvailable(true);
        s.peerConnected("b", "lan");
        s.peerBitfield("b", new BitSet());
        ticker.advance(Duration.ofMillis(100));
        assertThat(originFetches(s.tick())).as("within the grace, before the peers settled").isEmpty();

        assertThat(originFetches(s.peersSettled(true))).hasSize(4);
    }

    @Test
    void joiningASwarmUnderWayTheOriginWaitsAMomentForWhatPeersFetch() {
        var s = scheduler(chunks(4, 64 * KIB), config);
        s.originAvailable(true);
        s.peerConnected("b", "lan");
        s.peerBitfield("b", bits(0)); // b is under way: its other chunks may be on their way from the origin

        List<Action<String>> settled = s.peersSettled(true);
        assertThat(originFetches(settled)).as("settled, while b's FETCHING list may be on its way").isEmpty();
        s.peerUnchoked("b");
        ticker.advance(Duration.ofNanos(OriginPolicy.JOIN_WINDOW_NANOS - 1));
        assertThat(originFetches(s.tick())).as("just before the join window ends").isEmpty();
        ticker.advance(Duration.ofNanos(1));

        assertThat(originFetches(s.tick())).as("the join window over, well within the grace: what no peer has").hasSize(3)
                .allMatch(b -> b.chunk() != 0);
    }

    @Test
    void joiningASwarmUnderWayOfPeersThatNeverSayWhatTheyFetchTheOriginWaitsOutTheGrace() {
        var s = scheduler(chunks(4, 64 * KIB), config);
        s.originAvailable(true);
        s.peerConnected("b", "lan");
        s.peerBitfield("b", bits(0)); // under way, and b speaks protocol version 1: no FETCHING from it

        assertThat(originFetches(s.peersSettled(false))).isEmpty();
        ticker.advance(Duration.ofNanos(OriginPolicy.JOIN_WINDOW_NANOS));
        assertThat(originFetches(s.tick())).as("the join window over, within the grace").isEmpty();
        ticker.advance(config.originGrace().minusNanos(OriginPolicy.JOIN_WINDOW_NANOS + 1));
        assertThat(originFetches(s.tick())).as("just before the grace ends").isEmpty();
        ticker.advance(Duration.ofNanos(1));

        assertThat(originFetches(s.tick())).as("at the grace, what no peer has").hasSize(3);
    }

    @Test
    void aJoinWindowThatWouldOutlastTheGraceEndsWithIt() {
        var s = scheduler(chunks(4, 64 * KIB), config);
        s.originAvailable(true);
        s.peerConnected("b", "lan");
        s.peerBitfield("b", bits(0));
        ticker.advance(config.originGrace().minusMillis(100)); // settled late: the window would end 150 ms after the grace

        assertThat(originFetches(s.peersSettled(true))).isEmpty();
        ticker.advance(Duration.ofMillis(100));
        assertThat(originFetches(s.tick())).as("at the grace, inside the join window").hasSize(3);
    }

    /** Four chunks, the origin available, and peer b connected holding {@code has} and fetching {@code chunk} from the origin. */
    private DownloadScheduler<String> withPeerFetching(BitSet has, int chunk) {
        var s = scheduler(chunks(4, 64 * KIB), config);
        s.originAvailable(true);
        s.peerConnected("b", "lan");
        s.peerBitfield("b", has);
        s.peerFetching("b", chunk);
        return s;
    }

    @Test
    void afterTheJoinWindowTheOriginGetsWhatNoPeerHasOrFetches() {
        var s = withPeerFetching(bits(0), 1);
        assertThat(originFetches(s.peersSettled(true))).as("settled, within the join window").isEmpty();

        ticker.advance(Duration.ofNanos(OriginPolicy.JOIN_WINDOW_NANOS));

        assertThat(originFetches(s.tick())).as("what b neither has nor fetches")
                .extracting(Block::chunk).containsExactlyInAnyOrder(2, 3);
    }

    @Test
    void aChunkAPeerFetchesFromTheOriginComesFromThatPeer() {
        var s = withPeerFetching(new BitSet(), 2);
        assertThat(originFetches(s.peersSettled(true))).extracting(Block::chunk).containsExactlyInAnyOrder(0, 1, 3);
        ticker.advance(config.originGrace());
        assertThat(originFetches(s.tick())).as("b is still fetching chunk 2").isEmpty();

        s.peerHave("b", 2);
        List<Action<String>> unchoked = s.peerUnchoked("b");

        assertThat(requestsTo(unchoked, "b")).extracting(Block::chunk).containsOnly(2);
        assertThat(originFetches(unchoked)).isEmpty();
    }

    @Test
    void aChunkAPeerSaidItFetchesGoesToTheOriginOnceThatPeerLeavesOrAfterTheFallbackDelay() {
        var left = withPeerFetching(new BitSet(), 2);
        left.peersSettled(true);
        assertThat(originFetches(left.peerDisconnected("b"))).extracting(Block::chunk).containsExactly(2);

        var stuck = withPeerFetching(new BitSet(), 2);
        for (Block b : originFetches(stuck.peersSettled(true))) {
            stuck.originBlockReceived(b);
        }
        ticker.advance(config.originFallbackDelay().minusMillis(1));
        assertThat(originFetches(stuck.tick())).as("within the fallback delay").isEmpty();
        ticker.advance(Duration.ofMillis(1));
        assertThat(originFetches(stuck.tick())).as("b said FETCHING and never delivered")
                .extracting(Block::chunk).containsExactly(2);
    }

    @Test
    void aChunkBegunFromTheOriginIsFinishedFromTheOriginThoughAJoinerNowOwnsItAndFetchesItToo() {
        var s = scheduler(chunks(8, 512 * KIB), SchedulerConfig.DEFAULT.withOrigin(Duration.ofSeconds(2), Duration.ofSeconds(60), 1));
        long[] joinerKey = {0};
        s.shareOrigin(11L, p -> joinerKey[0]);
        s.originAvailable(true);
        List<Block> first = originFetches(s.peersSettled(true));
        assertThat(first).hasSize(1);
        Block begun = first.get(0);
        int chunk = begun.chunk();
        joinerKey[0] = LongStream.iterate(1, k -> k + 1)
                .filter(k -> Long.compareUnsigned(OriginPolicy.score(k, chunk), OriginPolicy.score(11L, chunk)) > 0)
                .findFirst().orElseThrow();
        s.peerConnected("b", "lan"); // b owns the chunk now
        s.peerBitfield("b", new BitSet());
        s.peerFetching("b", chunk); // and began it too, before it heard of us

        List<Block> next = originFetches(s.originBlockReceived(begun));

        // Were each side to leave the chunk to the other (it owns it now; we said FETCHING), it
        // would wait for the fallback delay.
        assertThat(next).as("the origin's next block").extracting(Block::chunk).containsExactly(chunk);
    }

    @Test
    void aBurstOfBlocksArrivingTogetherDoesNotInflateAPeersRate() {
        var s = scheduler(chunks(64, 1024 * KIB), SchedulerConfig.DEFAULT.withPipelineDepth(8, 64));
        List<Block> asked = requestsTo(join(s, "p", Releases.all(64)), "p");
        assertThat(asked).hasSize(8);

        // 8 blocks of 256 KiB in 1 s = 2 MiB/s, but they reach the scheduler in two bursts
        ticker.advance(Duration.ofMillis(500));
        for (Block b : asked.subList(0, 4)) {
            s.blockReceived("p", b);
        }
        ticker.advance(Duration.ofMillis(500));
        for (Block b : asked.subList(4, 8)) {
            s.blockReceived("p", b);
        }

        assertThat(s.peer("p").orElseThrow().bytesPerSecond())
                .isCloseTo(2 * 1024 * 1024, org.assertj.core.data.Percentage.withPercentage(5));
    }
}
