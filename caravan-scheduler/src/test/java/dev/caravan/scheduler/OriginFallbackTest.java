package dev.caravan.scheduler;

import static dev.caravan.scheduler.Releases.all;
import static dev.caravan.scheduler.Releases.bits;
import static dev.caravan.scheduler.Releases.chunks;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OriginFallbackTest extends SchedulerTestSupport {
    private final SchedulerConfig config = SchedulerConfig.DEFAULT
            .withOrigin(Duration.ofSeconds(2), Duration.ofSeconds(10), 4);

    @Test
    void aChunkNoPeerHasGoesToTheOriginRightAfterTheGrace() {
        var s = scheduler(chunks(2, 256 * KIB), config);
        s.originAvailable(true);
        s.peerConnected("a", "lan");
        s.peerBitfield("a", bits(0)); // a has chunk 0 but keeps us choked

        ticker.advance(Duration.ofMillis(1_900));
        assertThat(originFetches(s.tick())).as("within the grace").isEmpty();
        ticker.advance(Duration.ofMillis(100));

        assertThat(originFetches(s.tick())).containsExactly(new Block(1, 0, 256 * KIB));
    }

    @Test
    void aChunkPeersCannotDeliverGoesToTheOriginAfterTheFallbackDelayAndNotBefore() {
        var s = scheduler(chunks(1, 256 * KIB), config);
        s.originAvailable(true);
        s.peerConnected("a", "lan");
        s.peerBitfield("a", all(1)); // has it, never unchokes us

        ticker.advance(Duration.ofMillis(9_900));
        assertThat(originFetches(s.tick())).isEmpty();
        ticker.advance(Duration.ofMillis(100));
        List<Block> fetches = originFetches(s.tick());

        assertThat(fetches).containsExactly(new Block(0, 0, 256 * KIB));
        s.originBlockReceived(fetches.getFirst());
        assertThat(s.stats().bytesFromOrigin()).isEqualTo(256 * KIB);
        assertThat(s.stats().bytesFromPeers()).isZero();
    }

    @Test
    void theOriginHoldsAtMostItsBudgetOfRequests() {
        var s = scheduler(chunks(8, 1024 * KIB), config);
        ticker.advance(Duration.ofSeconds(3));

        assertThat(originFetches(s.originAvailable(true))).hasSize(4);
        assertThat(s.origin().inFlight()).isEqualTo(4);
    }

    /** Two requests in flight at a time to a peer, and a fallback delay of 3 s. */
    private final SchedulerConfig shortDelay = config.withPipelineDepth(2, 2)
            .withOrigin(Duration.ofSeconds(2), Duration.ofSeconds(3), 4);

    /** Makes the origin available and connects peer "a" with every chunk, unchoked; returns what it was asked for. */
    private static List<Block> startWithPeerA(DownloadScheduler<String> s) {
        s.originAvailable(true);
        return requestsTo(join(s, "a", all(4)), "a");
    }

    @Test
    void aPeerThatDeliversKeepsItsChunksPastTheFallbackDelay() {
        var s = scheduler(chunks(4, 256 * KIB), shortDelay);
        List<Block> toPeer = startWithPeerA(s);
        ticker.advance(Duration.ofSeconds(1));
        s.blockReceived("a", toPeer.getFirst());
        ticker.advance(Duration.ofSeconds(3)); // past the fallback delay, before the peer's requests time out

        List<Action<String>> tick = s.tick();
        List<Action<String>> afterBlock = s.blockReceived("a", toPeer.get(1));

        assertThat(toPeer).hasSize(2);
        assertThat(originFetches(tick)).as("a slow but steady peer is no reason for WAN bytes").isEmpty();
        assertThat(originFetches(afterBlock)).isEmpty();
        assertThat(requestsTo(afterBlock, "a")).as("the peer gets the next block instead").hasSize(1);
    }

    @Test
    void aPeerThatChokedUsAfterDeliveringKeepsItsChunksForTheSnubDuration() {
        var s = scheduler(chunks(4, 256 * KIB), shortDelay);
        List<Block> toPeer = startWithPeerA(s);
        ticker.advance(Duration.ofSeconds(1));
        s.blockReceived("a", toPeer.getFirst());
        s.peerChoked("a"); // its upload slots rotated away from us, for now
        ticker.advance(Duration.ofSeconds(3)); // past the fallback delay

        assertThat(originFetches(s.tick())).as("it will unchoke us again soon").isEmpty();

        ticker.advance(config.snubDuration());
        assertThat(originFetches(s.tick())).as("it has sent nothing for a snub duration").hasSize(3);
    }

    @Test
    void aPeerThatHasSentNothingLatelyHoldsNothingBackFromTheOrigin() {
        var s = scheduler(chunks(4, 256 * KIB), shortDelay);
        List<Block> toPeer = startWithPeerA(s);
        ticker.advance(Duration.ofSeconds(4)); // past the fallback delay; the peer has sent nothing yet

        List<Block> fetches = originFetches(s.tick());

        assertThat(fetches).as("the rest, and no duplicates").hasSize(2).doesNotContainAnyElementsOf(toPeer);
    }

    @Test
    void theOriginTakesWhatAStalledPeerHasOnceTheFallbackDelayPasses() {
        var s = scheduler(chunks(4, 256 * KIB), config.withPipelineDepth(2, 2));
        List<Block> toPeer = startWithPeerA(s);
        ticker.advance(Duration.ofSeconds(6)); // the peer's requests time out: it is snubbed, held to one
        assertThat(originFetches(s.tick())).as("before the fallback delay").isEmpty();
        assertThat(s.peer("a").orElseThrow().snubbed()).isTrue();
        ticker.advance(Duration.ofSeconds(4));

        List<Block> fetches = originFetches(s.tick());

        assertThat(toPeer).hasSize(2);
        assertThat(fetches).as("what the snubbed peer is not fetching, no duplicates").hasSize(3)
                .doesNotHaveDuplicates();
        assertThat(s.peer("a").orElseThrow().inFlight()).isEqualTo(1);
    }

    @Test
    void noOriginIsUsedUntilItIsAvailable() {
        var s = scheduler(chunks(1, 256 * KIB), config);
        ticker.advance(Duration.ofMinutes(5));

        assertThat(s.tick()).isEmpty();
        assertThat(originFetches(s.originAvailable(true))).hasSize(1);
    }
}
