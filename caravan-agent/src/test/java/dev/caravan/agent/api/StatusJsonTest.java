package dev.caravan.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.agent.Agent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StatusJsonTest {
    @Test
    void readGivesBackWhatWriteWrote() throws IOException {
        Agent.Status status = new Agent.Status("pc7", "myapp 1.4.0", 310, 412, 301_989_888, 23_068_672, 104_857_600, 6,
                "1.3.2", "tracker: connection refused");

        assertThat(StatusJson.read(StatusJson.write(status))).isEqualTo(status);
    }

    @Test
    void offloadIsThePeersShareOfReceivedBytesAndAbsentBeforeAny() {
        assertThat(StatusJson.offloadPercent(new Agent.Status("a", "x 1", 0, 1, 3, 1, 0, 0, null, null)))
                .hasValue(75.0);
        assertThat(StatusJson.offloadPercent(new Agent.Status("a", "x 1", 0, 1, 0, 0, 0, 0, null, null))).isEmpty();
        assertThat(new String(StatusJson.write(new Agent.Status("a", null, 0, 0, 0, 0, 0, 0, null, null)),
                StandardCharsets.UTF_8)).contains("\"offload_percent\":null", "\"release\":null");
    }

    @Test
    void somethingElseIsRefusedSayingWhy() {
        assertThatThrownBy(() -> StatusJson.read("<html>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> StatusJson.read("{\"name\":\"a\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessage("no whole number chunks_held");
    }
}
