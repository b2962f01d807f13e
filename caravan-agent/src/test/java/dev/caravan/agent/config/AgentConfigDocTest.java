package dev.caravan.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps {@code docs/agent-config.md} true: its examples load and its table lists exactly the keys there are. */
class AgentConfigDocTest {
    private static final Path DOC = Path.of("../docs/agent-config.md");
    private static final Pattern TOML_BLOCK = Pattern.compile("```toml\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TABLE_ROW = Pattern.compile("^\\| `([a-z_]+\\.[a-z_]+)` \\| ([^|]*) \\|", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void everyTomlExampleLoads() throws IOException {
        List<String> blocks = tomlBlocks();
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(2);

        for (String block : blocks) {
            Path file = dir.resolve("example.toml");
            Files.writeString(file, block);
            AgentConfigLoader.load(file, Map.of()); // throws, naming the key, if the example rotted
        }
    }

    @Test
    void theCompleteExampleSetsEveryKey() throws IOException {
        String complete = tomlBlocks().get(0);
        for (Setting s : Setting.values()) {
            assertThat(complete).as("the complete example sets " + s.key)
                    .containsPattern("(?m)^\\[" + s.section() + "\\]$")
                    .containsPattern("(?m)^" + s.leaf() + " = ");
        }
        Path file = dir.resolve("complete.toml");
        Files.writeString(file, complete);
        AgentConfig config = AgentConfigLoader.load(file, Map.of());
        assertThat(config.uploadRateBytesPerSecond()).isEqualTo(10_000_000L);
        assertThat(config.peerGroup()).isEqualTo("branch-12");
    }

    @Test
    void theTableListsEveryKeyWithItsDefault() throws IOException {
        String doc = Files.readString(DOC);
        Matcher row = TABLE_ROW.matcher(doc);
        List<String> documented = new ArrayList<>();
        while (row.find()) {
            String key = row.group(1);
            String defaultColumn = row.group(2);
            documented.add(key);
            Setting s = Setting.byKey(key);
            assertThat(s).as("docs list %s, which the loader does not know", key).isNotNull();
            if (s.required) {
                assertThat(defaultColumn).as(key).contains("**required**");
            } else {
                assertThat(defaultColumn).as(key).doesNotContain("required");
            }
            if (s.defaultText != null) {
                assertThat(defaultColumn).as("the documented default of " + key)
                        .containsAnyOf("`" + s.defaultText + "`", "`\"" + s.defaultText + "\"`");
            }
        }
        assertThat(documented).containsExactlyElementsOf(Arrays.stream(Setting.values()).map(s -> s.key).toList());
    }

    private static List<String> tomlBlocks() throws IOException {
        Matcher m = TOML_BLOCK.matcher(Files.readString(DOC));
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }
}
