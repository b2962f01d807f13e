package dev.caravan.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the agent's TOML config loader: whatever the text, it gives a valid
 * {@link AgentConfig} or a one-line {@link ConfigException}; never another exception or error.
 * A config it gives loads back from its own {@link AgentConfig#describe()} unchanged.
 *
 * <p>The normal test run replays the seed corpus in {@code AgentConfigFuzzTestInputs/load} (the
 * documented config files, and every input that once failed); {@code -Pfuzz} fuzzes it
 * (docs/benchmarks.md).
 */
class AgentConfigFuzzTest {
    private static final Path BASE = Path.of("/etc/caravan");

    @FuzzTest(maxDuration = "150s")
    void load(byte[] input) {
        // Bytes that are not UTF-8 stop at Files.readString before any parsing; the replacement
        // character keeps every input on the parsing path.
        String toml = new String(input, StandardCharsets.UTF_8);
        AgentConfig config;
        try {
            config = AgentConfigLoader.parse("agent.toml", toml, BASE);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
            return;
        }
        AgentConfig again;
        try {
            again = AgentConfigLoader.parse("described.toml", config.describe(), BASE);
        } catch (ConfigException e) {
            throw new AssertionError("a config does not load from its own description: " + e.getMessage()
                    + "\n" + config.describe(), e);
        }
        assertThat(again).isEqualTo(config);
    }
}
