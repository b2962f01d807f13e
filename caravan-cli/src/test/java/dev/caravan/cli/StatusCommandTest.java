package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.caravan.agent.Agent;
import dev.caravan.agent.api.ApiServer;
import dev.caravan.agent.config.HostPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code caravan status} against a real local API, and without one. */
class StatusCommandTest {
    @Test
    void printsTheAgentsStatusInAFewLines() throws Exception {
        Agent.Status status = new Agent.Status("pc7", "myapp 1.4.0", 310, 412, 300L << 20, 20L << 20, 100L << 20, 6,
                "1.3.2", "tracker: connection refused");
        try (ApiServer api = new ApiServer(new HostPort("127.0.0.1", 0), () -> status)) {
            int port = api.start().getPort();

            Cli cli = PublishAndGetTest.ok(Cli.run("status", "--api", "127.0.0.1:" + port));

            assertThat(cli.out()).isEqualTo(String.join(System.lineSeparator(),
                    "pc7: installed 1.3.2",
                    "release:    myapp 1.4.0, 310 of 412 chunks held (75%)",
                    "received:   300.0 MiB from peers, 20.0 MiB from the origin (offload 93%)",
                    "uploaded:   100.0 MiB; 6 peer connections",
                    "last error: tracker: connection refused", ""));

            Cli json = PublishAndGetTest.ok(Cli.run("status", "--api", "127.0.0.1:" + port, "--json"));
            assertThat(json.out()).startsWith("{\"name\":\"pc7\",\"release\":\"myapp 1.4.0\"");
        }
    }

    @Test
    void anAgentThatHasNotStartedFetchingSaysSo() throws Exception {
        Agent.Status status = new Agent.Status("pc7", null, 0, 0, 0, 0, 0, 0, null, null);
        try (ApiServer api = new ApiServer(new HostPort("127.0.0.1", 0), () -> status)) {
            Cli cli = PublishAndGetTest.ok(Cli.run("status", "--api", "127.0.0.1:" + api.start().getPort()));

            assertThat(cli.out()).startsWith("pc7: nothing installed yet" + System.lineSeparator()
                    + "release:    none chosen yet").contains("(offload -)", "last error: none");
        }
    }

    @Test
    void noAgentListeningIsExit1WithWhatToCheck() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }

        Cli cli = Cli.run("status", "--api", "127.0.0.1:" + port);

        assertThat(cli.exitCode()).isEqualTo(1);
        assertThat(cli.err()).isEqualTo("caravan status: no agent answers at http://127.0.0.1:" + port
                + "/status (connection refused); is `caravan agent` running, and is --api its api.listen?"
                + System.lineSeparator());
    }

    @Test
    void somethingElseOnThePortIsNotTakenForAnAgent() throws Exception {
        HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        other.createContext("/", exchange -> {
            byte[] page = "<html>hello</html>".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        other.start();
        try {
            Cli cli = Cli.run("status", "--api", "127.0.0.1:" + other.getAddress().getPort());

            assertThat(cli.exitCode()).isEqualTo(1);
            assertThat(cli.err()).startsWith("caravan status: http://127.0.0.1:" + other.getAddress().getPort()
                    + "/status did not answer like a caravan agent: not JSON");
        } finally {
            other.stop(0);
        }
    }
}
