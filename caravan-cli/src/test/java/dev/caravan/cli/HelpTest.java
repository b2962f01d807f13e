package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command answers --help with its usage and exit status 0, without its required options. */
class HelpTest {
    @ParameterizedTest
    @ValueSource(strings = {"keys", "publish", "timestamp", "tuf", "origin", "get", "ca", "tracker", "agent", "status", "demo"})
    void helpPrintsTheUsageAndExitsZero(String command) {
        Cli result = Cli.run(command, "--help");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).as(result.toString()).startsWith("Usage: caravan " + command);
    }
}
