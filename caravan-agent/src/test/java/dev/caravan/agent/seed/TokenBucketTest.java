package dev.caravan.agent.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private final FakeNanoClock clock = new FakeNanoClock();

    @Test
    void startsFullAndGrantsTheBurstAtOnce() {
        TokenBucket bucket = new TokenBucket(new RateLimit(1000, 5000), clock);

        assertThat(bucket.tryTake(10_000)).isEqualTo(5000);
        assertThat(bucket.tryTake(1)).isZero();
    }

    @Test
    void partialTakesGrantWhatIsThere() {
        TokenBucket bucket = new TokenBucket(new RateLimit(1000, 1000), clock);

        assertThat(bucket.tryTake(600)).isEqualTo(600);
        assertThat(bucket.tryTake(600)).isEqualTo(400);
        clock.advance(Duration.ofMillis(250));
        assertThat(bucket.tryTake(600)).isEqualTo(250);
        assertThat(bucket.tryTake(0)).isZero();
    }

    @Test
    void neverHoldsMoreThanTheBurstAfterALongQuietSpell() {
        TokenBucket bucket = new TokenBucket(new RateLimit(1000, 3000), clock);
        bucket.tryTake(3000);

        clock.advance(Duration.ofHours(1));

        assertThat(bucket.available()).isEqualTo(3000);
        assertThat(bucket.tryTake(Long.MAX_VALUE)).isEqualTo(3000);
    }

    @Test
    void steadyRateOverManyTakesIsWithinOneByteOfRateTimesTime() {
        long rate = 10_000_000; // 10 MB/s
        TokenBucket bucket = new TokenBucket(new RateLimit(rate, 64 << 10), clock);
        bucket.tryTake(Long.MAX_VALUE); // drain the initial burst
        long taken = 0;
        long elapsed = 0;
        for (int i = 0; i < 100_000; i++) {
            long step = 1_234_567 + (i % 7) * 333; // about 1.2 ms, uneven
            clock.advanceNanos(step);
            elapsed += step;
            taken += bucket.tryTake(4096 + (i % 5) * 10_000);
        }
        // Demand averages twice the supply (about 12 KB a step), so the bucket never fills and
        // loses credit; drain what is left and compare everything granted with rate x time.
        taken += bucket.tryTake(Long.MAX_VALUE);
        long expected = BigInteger.valueOf(elapsed).multiply(BigInteger.valueOf(rate))
                .divide(BigInteger.valueOf(1_000_000_000L)).longValueExact();
        assertThat(taken).isBetween(expected - 1, expected + 1);
    }

    @Test
    void unlimitedGrantsEverythingAndNeverWaits() {
        TokenBucket bucket = new TokenBucket(RateLimit.UNLIMITED, clock);

        assertThat(bucket.tryTake(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(bucket.tryTake(123)).isEqualTo(123);
        assertThat(bucket.nanosUntil(Long.MAX_VALUE)).isZero();
        assertThat(bucket.available()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void nanosUntilIsExact() {
        TokenBucket bucket = new TokenBucket(new RateLimit(3, 10), clock); // 3 B/s: a byte every 333,333,333.3 ns
        bucket.tryTake(10);

        assertThat(bucket.nanosUntil(0)).isZero();
        assertThat(bucket.nanosUntil(1)).isEqualTo(333_333_334L);
        assertThat(bucket.nanosUntil(2)).isEqualTo(666_666_667L);
        assertThat(bucket.nanosUntil(3)).isEqualTo(1_000_000_000L);

        clock.advanceNanos(666_666_666L);
        assertThat(bucket.tryTake(2)).isEqualTo(1);
        assertThat(bucket.nanosUntil(1)).isEqualTo(1); // 0.999999998 of a byte is carried over
        clock.advanceNanos(1);
        assertThat(bucket.tryTake(1)).isEqualTo(1);
    }

    @Test
    void nanosUntilMoreThanTheBurstAnswersForTheBurst() {
        TokenBucket bucket = new TokenBucket(new RateLimit(1000, 500), clock);
        bucket.tryTake(500);

        assertThat(bucket.nanosUntil(10_000)).isEqualTo(bucket.nanosUntil(500)).isEqualTo(500_000_000L);
    }

    @Test
    void aClockSteppedBackCreditsNothingAndDoesNotStall() {
        TokenBucket bucket = new TokenBucket(new RateLimit(1000, 1000), clock);
        bucket.tryTake(1000);

        clock.advance(Duration.ofSeconds(-30));
        assertThat(bucket.available()).isZero();
        clock.advance(Duration.ofMillis(100));
        assertThat(bucket.available()).isEqualTo(100);
    }

    @Test
    void hugeRatesAndJumpsDoNotOverflow() {
        TokenBucket bucket = new TokenBucket(new RateLimit(Long.MAX_VALUE, RateLimit.MAX_BURST_BYTES), clock);
        bucket.tryTake(Long.MAX_VALUE);

        clock.advanceNanos(Long.MAX_VALUE / 2);
        assertThat(bucket.available()).isEqualTo(RateLimit.MAX_BURST_BYTES);
        bucket.tryTake(1);
        clock.advanceNanos(1);
        assertThat(bucket.available()).isEqualTo(RateLimit.MAX_BURST_BYTES);
    }

    @Test
    void changingTheLimitCutsTheAllowanceToTheNewBurst() {
        TokenBucket bucket = new TokenBucket(new RateLimit(1000, 10_000), clock);
        bucket.setLimit(new RateLimit(100, 1000));
        assertThat(bucket.available()).isEqualTo(1000);

        bucket.tryTake(1000);
        clock.advance(Duration.ofSeconds(1));
        assertThat(bucket.available()).isEqualTo(100);

        bucket.setLimit(RateLimit.UNLIMITED);
        assertThat(bucket.tryTake(1 << 30)).isEqualTo(1 << 30);
        bucket.setLimit(new RateLimit(100, 700));
        assertThat(bucket.tryTake(1 << 30)).isEqualTo(700);
    }

    @Test
    void rejectsNegativeArguments() {
        TokenBucket bucket = new TokenBucket(new RateLimit(1000, 1000), clock);

        assertThatThrownBy(() -> bucket.tryTake(-1)).hasMessage("wanted is -1; must not be negative");
        assertThatThrownBy(() -> bucket.nanosUntil(-5)).hasMessage("bytes is -5; must not be negative");
    }

    @Test
    void rateLimitNamesTheBadSettingAndValue() {
        assertThatThrownBy(() -> new RateLimit(-1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bytesPerSecond is -1");
        assertThatThrownBy(() -> new RateLimit(10, -2)).hasMessageContaining("burstBytes is -2");
        assertThatThrownBy(() -> new RateLimit(10, 0)).hasMessageContaining("burstBytes is 0");
        assertThatThrownBy(() -> new RateLimit(10, RateLimit.MAX_BURST_BYTES + 1))
                .hasMessageContaining("burstBytes is " + (RateLimit.MAX_BURST_BYTES + 1));
        assertThat(RateLimit.perSecond(20_000_000)).isEqualTo(new RateLimit(20_000_000, 20_000_000));
        assertThat(RateLimit.perSecond(0).unlimited()).isTrue();
    }

    // ---- properties ----

    record Step(long advanceNanos, long wanted) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Long> advance = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 2_000_000_000L),
                Arbitraries.longs().between(0, 1_000),
                Arbitraries.longs().between(-5_000_000_000L, 0)); // clock stepped back
        Arbitrary<Long> wanted = Arbitraries.longs().between(0, 300_000_000L);
        return Combinators.combine(advance, wanted).as(Step::new).list().ofMaxSize(60);
    }

    @Property(tries = 500)
    void neverGrantsMoreThanBurstPlusRateTimesElapsed(
            @ForAll @LongRange(min = 1, max = 1_000_000_000L) long rate,
            @ForAll @LongRange(min = 1, max = 100_000_000L) long burst,
            @ForAll("steps") List<Step> steps) {
        FakeNanoClock clock = new FakeNanoClock();
        TokenBucket bucket = new TokenBucket(new RateLimit(rate, burst), clock);
        BigInteger taken = BigInteger.ZERO;
        long elapsed = 0; // only forward steps of the clock count as time
        for (Step step : steps) {
            clock.advanceNanos(step.advanceNanos());
            elapsed += Math.max(0, step.advanceNanos());
            long granted = bucket.tryTake(step.wanted());
            assertThat(granted).isBetween(0L, step.wanted());
            taken = taken.add(BigInteger.valueOf(granted));
            BigInteger bound = BigInteger.valueOf(burst).add(BigInteger.valueOf(rate)
                    .multiply(BigInteger.valueOf(elapsed)).divide(BigInteger.valueOf(1_000_000_000L)));
            assertThat(taken).isLessThanOrEqualTo(bound);
            assertThat(bucket.available()).isBetween(0L, burst);
        }
    }

    @Property(tries = 500)
    void nanosUntilIsTheExactWait(
            @ForAll @LongRange(min = 1, max = 1_000_000_000L) long rate,
            @ForAll @LongRange(min = 1, max = 100_000_000L) long burst,
            @ForAll @LongRange(min = 0, max = 3_000_000_000L) long warmUpNanos,
            @ForAll @LongRange(min = 0, max = 100_000_000L) long bytes) {
        FakeNanoClock clock = new FakeNanoClock();
        TokenBucket bucket = new TokenBucket(new RateLimit(rate, burst), clock);
        bucket.tryTake(burst);
        clock.advanceNanos(warmUpNanos);
        long wait = bucket.nanosUntil(bytes);
        long target = Math.min(bytes, burst);
        if (wait > 0) {
            clock.advanceNanos(wait - 1);
            assertThat(bucket.available()).isLessThan(target);
            clock.advanceNanos(1);
        }
        assertThat(bucket.available()).isGreaterThanOrEqualTo(target);
        assertThat(bucket.nanosUntil(bytes)).isZero();
    }
}
