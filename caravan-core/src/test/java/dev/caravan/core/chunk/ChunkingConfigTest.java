package dev.caravan.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChunkingConfigTest {
    @Test
    void theDefaultIs256KiB1MiB4MiB() {
        assertThat(ChunkingConfig.DEFAULT).isEqualTo(new ChunkingConfig(256 * 1024, 1024 * 1024, 4 * 1024 * 1024));
    }

    @Test
    void badSettingsAreRefusedByName() {
        assertThatThrownBy(() -> new ChunkingConfig(1024, 3000, 8192))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("avgBytes").hasMessageContaining("3000");
        assertThatThrownBy(() -> new ChunkingConfig(4096, 4096, 8192))
                .hasMessageContaining("minBytes").hasMessageContaining("4096");
        assertThatThrownBy(() -> new ChunkingConfig(10, 4096, 8192)).hasMessageContaining("minBytes");
        assertThatThrownBy(() -> new ChunkingConfig(1024, 4096, 4096)).hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> new ChunkingConfig(1024, 4096, 128 << 20)).hasMessageContaining("maxBytes");
    }
}
