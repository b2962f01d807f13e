package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code caravan demo --json}: one object with the figures the swarm benchmark reads, exit 0 when every agent is right. */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void aSmallSwarmPrintsItsFiguresAsOneJsonObjectAndExitsZero() throws Exception {
        Cli result = Cli.run("demo", "--peers", "3", "--size", "8MiB", "--files", "30", "--origin-rate", "4MB",
                "--peer-rate", "4MB", "--json", "--dir", dir.resolve("work"));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertThat(json.get("release_bytes").asLong()).isEqualTo(8L << 20);
        assertThat(json.get("peers").asInt()).isEqualTo(3);
        assertThat(json.get("all_verified").asBoolean()).isTrue();
        assertThat(json.get("completion_seconds")).hasSize(3);
        // T_min = max(F/U, N·F/(U + N·u)) = max(2.10, 3 × 8.39 MB / 16 MB/s = 1.57) s
        assertThat(json.get("lower_bound_seconds").asDouble()).isCloseTo(8.0 * (1 << 20) / 4e6, org.assertj.core.data.Offset.offset(0.01));
        assertThat(json.get("http_only_seconds").asDouble()).isCloseTo(3 * 8.0 * (1 << 20) / 4e6, org.assertj.core.data.Offset.offset(0.01));
        assertThat(json.get("last_completion_seconds").asDouble()).isPositive();
        assertThat(json.get("agents_ready_seconds").asDouble()).as("the agents' start, reported apart").isPositive();
        assertThat(json.get("origin_bytes_sent").asLong()).as("the origin sends about one copy, not three")
                .isLessThan(2L * (8L << 20));
        assertThat(json.get("peer_bytes_received").asLong()).isGreaterThan(8L << 20);
    }

    @Test
    void withALiarTheHonestAgentsBanItAndStillInstallTheTrueBytes() throws Exception {
        Cli result = Cli.run("demo", "--peers", "4", "--liars", "1", "--size", "8MiB", "--files", "30",
                "--origin-rate", "4MB", "--peer-rate", "4MB", "--json", "--dir", dir.resolve("work"));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertThat(json.get("liars").asInt()).isEqualTo(1);
        assertThat(json.get("all_verified").asBoolean()).as("every honest agent installed the true bytes").isTrue();
        assertThat(json.get("completion_seconds")).as("completion times, honest agents only").hasSize(3);
        assertThat(json.get("peers_cut_off").asLong()).as("connections the honest agents cut off").isPositive();
        assertThat(json.get("honest_origin_bytes").asLong()).as("chunk bytes the honest agents had from the origin")
                .isPositive().isLessThanOrEqualTo(json.get("origin_bytes_sent").asLong());
    }

    @Test
    void asManyLiarsAsPeersIsRefusedNamingTheOption() {
        Cli result = Cli.run("demo", "--peers", "2", "--liars", "2", "--json", "--dir", dir.resolve("work"));

        assertThat(result.exitCode()).as(result.toString()).isNotZero();
        assertThat(result.err()).contains("--liars must be from 0 to one less than --peers (1), got 2");
    }
}
