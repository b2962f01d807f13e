package dev.caravan.origin.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OriginClientConfigTest {

    @Test
    void defaultsToAMinimumOf8KiBPerSecondAfter30Seconds() {
        OriginClientConfig config = OriginClientConfig.defaults();
        assertThat(config.minBytesPerSecond()).isEqualTo(8192);
        assertThat(config.minRateGrace()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void namesTheBadMinimumRateSettingAndValue() {
        OriginClientConfig ok = OriginClientConfig.defaults();
        assertThatThrownBy(() -> ok.withMinBytesPerSecond(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minBytesPerSecond").hasMessageContaining("-1");
        assertThatThrownBy(() -> ok.withMinRateGrace(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minRateGrace").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> ok.withMinRateGrace(Duration.ofSeconds(-3)))
                .hasMessageContaining("minRateGrace").hasMessageContaining("PT-3S");
        assertThatThrownBy(() -> ok.withMinRateGrace(Duration.ofHours(25)))
                .hasMessageContaining("minRateGrace").hasMessageContaining("PT25H");
        assertThatThrownBy(() -> ok.withMinRateGrace(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("minRateGrace");
        assertThat(ok.withMinBytesPerSecond(0).minBytesPerSecond()).as("0 turns it off").isZero();
        assertThat(ok.withMinRateGrace(Duration.ofDays(1)).minRateGrace()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void everyCopyMethodKeepsTheOtherSettings() {
        OriginClientConfig config = OriginClientConfig.defaults()
                .withMinBytesPerSecond(100)
                .withMinRateGrace(Duration.ofSeconds(7))
                .withMaxConnectionsPerHost(2)
                .withConnectTimeout(Duration.ofSeconds(3))
                .withReadTimeout(Duration.ofSeconds(4))
                .withTrustedCaPem(null)
                .withIoThreads(1);
        assertThat(config).isEqualTo(new OriginClientConfig(2, Duration.ofSeconds(3), Duration.ofSeconds(4), null, 1,
                100, Duration.ofSeconds(7)));
    }
}
