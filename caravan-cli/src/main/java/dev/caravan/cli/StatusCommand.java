package dev.caravan.cli;

import dev.caravan.agent.Agent;
import dev.caravan.agent.api.StatusJson;
import dev.caravan.agent.config.HostPort;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code caravan status}: asks a running agent's local API what it is doing and prints it in a few lines. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show what the agent on this machine is doing: installed version, the release it fetches or seeds,"
                + " bytes from peers and from the origin, uploads, peers, last error.")
final class StatusCommand implements Callable<Integer> {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Option(names = "--api", converter = HostPortConverter.class, defaultValue = "127.0.0.1:7880", paramLabel = "HOST:PORT",
            description = "The agent's local API, its api.listen (default ${DEFAULT-VALUE}).")
    HostPort api;

    @Option(names = "--json", description = "Print the agent's JSON as it is, for scripts.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        URI uri = URI.create("http://" + api + "/status");
        byte[] body = fetch(uri);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new String(body, StandardCharsets.UTF_8));
            return 0;
        }
        Agent.Status status;
        try {
            status = StatusJson.read(body);
        } catch (IOException e) {
            throw new IOException(uri + " did not answer like a caravan agent: " + e.getMessage());
        }
        print(status, out);
        return 0;
    }

    private byte[] fetch(URI uri) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new IOException("no agent answers at " + uri + " (connection refused); is `caravan agent` running,"
                    + " and is --api its api.listen?");
        } catch (HttpTimeoutException e) {
            throw new IOException("no answer from " + uri + " within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw new IOException("cannot reach " + uri + ": " + Main.oneLine(e));
        } finally {
            client.close();
        }
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered HTTP " + response.statusCode() + "; is --api a caravan agent's api.listen?");
        }
        return response.body();
    }

    static void print(Agent.Status s, PrintWriter out) {
        out.println(s.name() + ": " + (s.installedVersion() == null ? "nothing installed yet" : "installed " + s.installedVersion()));
        if (s.release() == null) {
            out.println("release:    none chosen yet");
        } else {
            out.printf(Locale.ROOT, "release:    %s, %d of %d chunks held (%s)%n", s.release(), s.chunksHeld(), s.chunks(),
                    percent(s.chunks() == 0 ? OptionalDouble.of(100) : OptionalDouble.of(100.0 * s.chunksHeld() / s.chunks())));
        }
        out.printf(Locale.ROOT, "received:   %s from peers, %s from the origin (offload %s)%n",
                ProgressPrinter.human(s.bytesFromPeers()), ProgressPrinter.human(s.bytesFromOrigin()),
                percent(StatusJson.offloadPercent(s)));
        out.printf(Locale.ROOT, "uploaded:   %s; %d peer connection%s%n", ProgressPrinter.human(s.bytesUploaded()), s.peers(),
                s.peers() == 1 ? "" : "s");
        out.println("last error: " + (s.lastError() == null ? "none" : s.lastError()));
    }

    private static String percent(OptionalDouble p) {
        return p.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f%%", Math.floor(p.getAsDouble()));
    }
}
