package dev.caravan.agent.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Requests to a local API over a real socket, as curl or Prometheus would make them. */
final class HttpGet {
    private HttpGet() {}

    static HttpResponse<String> get(InetSocketAddress api, String path) throws IOException, InterruptedException {
        return send(api, path, HttpRequest.newBuilder().GET());
    }

    static HttpResponse<String> send(InetSocketAddress api, String path, HttpRequest.Builder request)
            throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + api.getPort() + path);
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return client.send(request.uri(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
