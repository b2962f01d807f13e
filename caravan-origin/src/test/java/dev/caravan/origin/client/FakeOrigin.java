package dev.caravan.origin.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A misbehaving HTTP server on a plain socket, for what the real origin never does: stall,
 * close at the wrong moment, stream without end. Each accepted connection runs {@link Script}
 * on a thread of its own.
 */
final class FakeOrigin implements AutoCloseable {

    /** What to do with the {@code index}-th connection (0-based). */
    interface Script {
        void run(int index, Socket socket, InputStream in, OutputStream out) throws IOException;
    }

    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();

    FakeOrigin(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    int index = connections.getAndIncrement();
                    Thread.ofVirtual().start(() -> {
                        try (socket) {
                            script.run(index, socket, socket.getInputStream(), socket.getOutputStream());
                        } catch (IOException e) {
                            // the client went away; nothing to do
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    int connections() {
        return connections.get();
    }

    /** Reads one request head (up to the blank line); null at end of stream. */
    static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
        }
        return matched < 4 ? null : head.toString(StandardCharsets.ISO_8859_1);
    }

    static void respond(OutputStream out, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
