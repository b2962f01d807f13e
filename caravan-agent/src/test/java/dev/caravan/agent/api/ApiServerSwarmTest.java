package dev.caravan.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.agent.Agent;
import dev.caravan.agent.config.HostPort;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.core.manifest.ChunkInfo;
import dev.caravan.core.manifest.Manifest;
import dev.caravan.testkit.LeakCheck;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The local API of real agents in a whole deployment on loopback: what {@code curl} and Prometheus see. */
@ExtendWith(LeakCheck.class)
class ApiServerSwarmTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void statusAndMetricsShowTheInstalledReleaseAndWhereItsBytesCameFrom() throws Exception {
        Path source = dir.resolve("source");
        new SyntheticRelease(4 << 20, 20, 3).writeTo(source);
        try (LocalSwarm swarm = LocalSwarm.start(dir.resolve("work"), LocalSwarm.Options.defaults())) {
            swarm.publish(source, "1.0.0");
            Agent first = swarm.startAgent("agent-0");
            Manifest manifest = first.firstInstall().get(60, TimeUnit.SECONDS);
            Agent second = swarm.startAgent("agent-1");
            second.firstInstall().get(60, TimeUnit.SECONDS);
            long releaseBytes = manifest.distinctChunks().stream().mapToLong(ChunkInfo::size).sum();

            try (ApiServer firstApi = new ApiServer(new HostPort("127.0.0.1", 0), first::status);
                 ApiServer secondApi = new ApiServer(new HostPort("127.0.0.1", 0), second::status)) {
                InetSocketAddress firstAddress = firstApi.start();
                InetSocketAddress secondAddress = secondApi.start();

                HttpResponse<String> response = HttpGet.get(secondAddress, "/status");
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
                JsonNode status = JSON.readTree(response.body());
                assertThat(status.get("name").asText()).isEqualTo("agent-1");
                assertThat(status.get("installed_version").asText()).isEqualTo("1.0.0");
                assertThat(status.get("release").asText()).isEqualTo("demo-app 1.0.0");
                assertThat(status.get("chunks_held").asInt()).isEqualTo(manifest.distinctChunks().size());
                assertThat(status.get("chunks").asInt()).isEqualTo(manifest.distinctChunks().size());
                long fromPeers = status.get("bytes_from_peers").asLong();
                long fromOrigin = status.get("bytes_from_origin").asLong();
                assertThat(fromPeers).isEqualTo(second.status().bytesFromPeers());
                assertThat(fromOrigin).isEqualTo(second.status().bytesFromOrigin());
                assertThat(fromPeers + fromOrigin).as("every chunk came from somewhere").isGreaterThanOrEqualTo(releaseBytes);
                assertThat(status.get("offload_percent").asDouble())
                        .isCloseTo(100.0 * fromPeers / (fromPeers + fromOrigin), within(0.05));
                assertThat(status.get("last_error").isNull()).isTrue();

                JsonNode seeder = JSON.readTree(HttpGet.get(firstAddress, "/status").body());
                assertThat(seeder.get("installed_version").asText()).isEqualTo("1.0.0");
                assertThat(seeder.get("bytes_uploaded").asLong()).isEqualTo(first.status().bytesUploaded());

                HttpResponse<String> metrics = HttpGet.get(firstAddress, "/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("content-type")).hasValue(ApiRequestHandler.PROMETHEUS_TEXT);
                String release = "{release=\"demo-app 1.0.0\"}";
                assertThat(metrics.body()).contains(
                        "# TYPE caravan_from_peers_bytes_total counter",
                        "caravan_from_peers_bytes_total" + release,
                        "caravan_from_origin_bytes_total" + release + " " + (double) first.status().bytesFromOrigin(),
                        "# TYPE caravan_uploaded_bytes_total counter",
                        "caravan_uploaded_bytes_total ",
                        "# TYPE caravan_peers gauge",
                        "caravan_chunks_held" + release + " " + (double) manifest.distinctChunks().size(),
                        "caravan_chunks" + release + " " + (double) manifest.distinctChunks().size(),
                        "caravan_offload_ratio" + release);
            }
        }
    }
}
