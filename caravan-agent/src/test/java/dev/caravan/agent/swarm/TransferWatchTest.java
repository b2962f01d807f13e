package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The minimum-rate rule: judged over busy time only, at the end of each window. */
class TransferWatchTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aConnectionThatMovesTooLittleWhileBusyIsReportedAtTheEndOfTheWindowWithItsRate() {
        TransferWatch w = new TransferWatch(8192, 30 * S);
        w.check(0, true);
        w.moved(3000);
        assertThat(w.check(29 * S, true)).as("before the window ends").isEqualTo(-1);
        assertThat(w.check(30 * S, true)).as("the rate over the window").isEqualTo(100.0);
    }

    @Test
    void idleTimeIsNotJudgedAndAFastEnoughConnectionPasses() {
        TransferWatch w = new TransferWatch(8192, 30 * S);
        w.check(0, false);
        assertThat(w.check(3600 * S, false)).as("an hour with nothing owed").isEqualTo(-1);
        w.moved(30 * 8192);
        assertThat(w.check(3630 * S, true)).as("30 s busy at exactly the minimum").isEqualTo(-1);
        assertThat(w.check(3660 * S, true)).as("the next window starts afresh: nothing moved").isEqualTo(0.0);
    }

    @Test
    void aMinimumOfZeroTurnsTheCheckOff() {
        TransferWatch w = new TransferWatch(0, S);
        w.check(0, true);
        assertThat(w.check(100 * S, true)).isEqualTo(-1);
    }
}
