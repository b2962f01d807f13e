package dev.caravan.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** Sizes, durations and addresses as written in the config file. */
class ValueTextTest {
    @Test
    void sizesReadDecimalAndBinarySuffixes() {
        assertThat(ByteSize.parse("4096")).isEqualTo(4096);
        assertThat(ByteSize.parse("20MB")).isEqualTo(20_000_000);
        assertThat(ByteSize.parse("20mb")).isEqualTo(20_000_000);
        assertThat(ByteSize.parse("1kB")).isEqualTo(1000);
        assertThat(ByteSize.parse("256MiB")).isEqualTo(256L << 20);
        assertThat(ByteSize.parse("20GiB")).isEqualTo(20L << 30);
        assertThat(ByteSize.parse("1.5GB")).isEqualTo(1_500_000_000L);
        assertThat(ByteSize.parse("2 TiB")).isEqualTo(2L << 40);
        assertThatThrownBy(() -> ByteSize.parse("20M")).hasMessageStartingWith("not a size");
        assertThatThrownBy(() -> ByteSize.parse("1.0001kB")).hasMessage("not a whole number of bytes");
        assertThatThrownBy(() -> ByteSize.parse("9999999TiB")).hasMessageStartingWith("too large");
    }

    @Property
    void aFormattedSizeReadsBackExactly(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long bytes) {
        assertThat(ByteSize.parse(ByteSize.format(bytes))).isEqualTo(bytes);
    }

    @Test
    void sizesFormatWithTheLargestExactUnit() {
        assertThat(ByteSize.format(20L << 30)).isEqualTo("20GiB");
        assertThat(ByteSize.format(10_000_000)).isEqualTo("10MB");
        assertThat(ByteSize.format(1536)).isEqualTo("1536");
        assertThat(ByteSize.format(3072)).isEqualTo("3KiB");
        assertThat(ByteSize.format(4095)).isEqualTo("4095");
    }

    @Test
    void durationsTakeOneUnit() {
        assertThat(DurationText.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationText.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationText.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(DurationText.parse("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(DurationText.parse("30d")).isEqualTo(Duration.ofDays(30));
        assertThatThrownBy(() -> DurationText.parse("30")).hasMessageStartingWith("not a duration");
        assertThatThrownBy(() -> DurationText.parse("1h30m")).hasMessageStartingWith("not a duration");
        assertThatThrownBy(() -> DurationText.parse("30S")).hasMessageStartingWith("not a duration");
    }

    @Property
    void aFormattedDurationReadsBackExactly(@ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long millis) {
        Duration d = Duration.ofMillis(millis);
        assertThat(DurationText.parse(DurationText.format(d))).isEqualTo(d);
    }

    @Test
    void hostPortsReadBackFromTheirText() {
        assertThat(HostPort.parse("0.0.0.0:7881")).isEqualTo(new HostPort("0.0.0.0", 7881));
        assertThat(HostPort.parse("[::1]:7880")).isEqualTo(new HostPort("::1", 7880));
        assertThat(new HostPort("::1", 7880)).hasToString("[::1]:7880");
        assertThat(HostPort.parse("agent-7.example:0").port()).isZero();
        assertThatThrownBy(() -> HostPort.parse(":7880")).hasMessageStartingWith("expected HOST:PORT");
        assertThatThrownBy(() -> HostPort.parse("host:-1")).hasMessageStartingWith("expected HOST:PORT");
    }
}
