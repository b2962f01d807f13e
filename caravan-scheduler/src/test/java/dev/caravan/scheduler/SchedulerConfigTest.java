package dev.caravan.scheduler;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchedulerConfigTest {

    @Test
    void aBadSettingIsRefusedNamingTheSettingAndTheValue() {
        assertThatIllegalArgumentException().isThrownBy(() -> SchedulerConfig.DEFAULT.withBlockSizeBytes(0))
                .withMessage("scheduler setting blockSizeBytes must be from 1 to 16777216, got 0");
        assertThatIllegalArgumentException().isThrownBy(() -> SchedulerConfig.DEFAULT.withPipelineDepth(4, 2))
                .withMessage("scheduler setting maxPipelineDepth must be at least minPipelineDepth (4), got 2");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SchedulerConfig.DEFAULT.withRequestTimeout(Duration.ofSeconds(5), 0.5))
                .withMessage("scheduler setting requestTimeoutMultiplier must be a finite number of at least 1, got 0.5");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SchedulerConfig.DEFAULT.withOrigin(Duration.ofSeconds(-1), Duration.ZERO, 4))
                .withMessage("scheduler setting originGrace must not be negative, got PT-1S");
        assertThatIllegalArgumentException().isThrownBy(() -> SchedulerConfig.DEFAULT.withEndgameDuplicates(-1))
                .withMessageContaining("endgameDuplicates").withMessageContaining("-1");
        assertThatIllegalArgumentException().isThrownBy(() -> SchedulerConfig.DEFAULT.withOwnerPatience(Duration.ZERO))
                .withMessage("scheduler setting ownerPatience must be positive, got PT0S");
    }
}
