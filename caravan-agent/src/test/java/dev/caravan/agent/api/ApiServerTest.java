package dev.caravan.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.agent.Agent;
import dev.caravan.agent.config.HostPort;
import dev.caravan.testkit.LeakCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The local API's routes and refusals, over real sockets, for an agent whose status is given. */
@ExtendWith(LeakCheck.class)
class ApiServerTest {
    private final AtomicReference<Agent.Status> status = new AtomicReference<>(
            new Agent.Status("pc7", "myapp 1.4.0", 3, 4, 3_000_000, 1_000_000, 500, 2, "1.3.2", null));
    private ApiServer api;
    private InetSocketAddress address;

    @BeforeEach
    void start() throws IOException {
        api = new ApiServer(new HostPort("127.0.0.1", 0), status::get);
        address = api.start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void statusIsTheAgentsStatusAsJson() throws Exception {
        HttpResponse<String> response = HttpGet.get(address, "/status");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(StatusJson.read(response.body().getBytes())).isEqualTo(status.get());
        assertThat(response.body()).contains("\"offload_percent\":75.0");
        assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
    }

    @Test
    void anotherPathIs404AndAnotherMethod405() throws Exception {
        HttpResponse<String> missing = HttpGet.get(address, "/dashboard");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no such endpoint: /dashboard; there are /status and /metrics");

        HttpResponse<String> post = HttpGet.send(address, "/status", HttpRequest.newBuilder()
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET");
        assertThat(post.body()).contains("POST is not allowed here");

        HttpResponse<String> delete = HttpGet.send(address, "/metrics", HttpRequest.newBuilder().DELETE());
        assertThat(delete.statusCode()).isEqualTo(405);
    }

    @Test
    void aQueryStringIsIgnored() throws Exception {
        assertThat(HttpGet.get(address, "/metrics?name[]=caravan_peers").statusCode()).isEqualTo(200);
    }

    @Test
    void aReleaseSeriesGoesWhenTheAgentMovesToTheNextRelease() throws Exception {
        assertThat(HttpGet.get(address, "/metrics").body())
                .contains("caravan_from_peers_bytes_total{release=\"myapp 1.4.0\"} 3000000.0")
                .contains("caravan_offload_ratio{release=\"myapp 1.4.0\"} 0.75");

        status.set(new Agent.Status("pc7", "myapp 1.5.0", 0, 9, 0, 0, 500, 2, "1.4.0", null));
        String after = HttpGet.get(address, "/metrics").body();

        assertThat(after).doesNotContain("myapp 1.4.0")
                .contains("caravan_chunks{release=\"myapp 1.5.0\"} 9.0")
                .contains("caravan_offload_ratio{release=\"myapp 1.5.0\"} NaN")
                .contains("caravan_uploaded_bytes_total 500.0");
    }

    @Test
    void beforeAnyReleaseThereAreNoReleaseSeries() throws Exception {
        status.set(new Agent.Status("pc7", null, 0, 0, 0, 0, 0, 0, null, "origin unreachable"));

        assertThat(HttpGet.get(address, "/metrics").body()).contains("caravan_peers 0.0").doesNotContain("release=");
        assertThat(StatusJson.read(HttpGet.get(address, "/status").body().getBytes())).isEqualTo(status.get());
    }

    @Test
    void aTakenPortFailsNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             ApiServer second = new ApiServer(new HostPort("127.0.0.1", taken.getLocalPort()), status::get)) {
            assertThatThrownBy(second::start).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("the local API cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ");
        }
    }
}
