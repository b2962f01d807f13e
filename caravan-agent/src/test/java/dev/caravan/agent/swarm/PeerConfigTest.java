package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.agent.seed.UploadSlotConfig;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.tls.TlsFiles;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeerConfigTest {
    private static final PeerConfig BASE = PeerConfig.defaults(PeerId.random(new SecureRandom()), "lan",
            TlsFiles.in(Path.of("/nonexistent"), "pc1"), "127.0.0.1", 0);

    /** Peers cut off a connection under 8 KiB/s: a low upload cap is spread over fewer slots, each at least 16 KiB/s. */
    @ParameterizedTest(name = "{0} bytes/s over 4 + 1 slots: {1} + {2}")
    @CsvSource({
            "0,          4, 1",   // unlimited
            "10000000,   4, 1",   // 10 MB/s: 2 MB/s a slot
            "81920,      4, 1",   // exactly 16 KiB/s a slot
            "81919,      3, 1",
            "40000,      1, 1",   // 20 KB/s a slot instead of 8 KB/s (under what peers accept)
            "32767,      1, 0",
            "16384,      1, 0",
    })
    void aLowUploadCapUsesFewerSlotsSoThatEachStaysAboveWhatPeersAccept(long rate, int slots, int optimistic) {
        PeerConfig config = BASE.withRates(rate, 0).withSlots(new UploadSlotConfig(4, Duration.ofSeconds(10), 1));

        UploadSlotConfig used = config.effectiveSlots();

        assertThat(used).isEqualTo(new UploadSlotConfig(slots, Duration.ofSeconds(10), optimistic));
        if (rate > 0) {
            assertThat(rate / used.capacity()).isGreaterThanOrEqualTo(2 * config.limits().minTransferBytesPerSecond());
        }
    }

    @Test
    void withoutAMinimumRateEverySlotIsKept() {
        PeerConfig config = BASE.withRates(20_000, 0).withLimits(new PeerLimits(8, 0, Duration.ofSeconds(30), 8));

        assertThat(config.effectiveSlots()).isEqualTo(config.slots());
    }
}
