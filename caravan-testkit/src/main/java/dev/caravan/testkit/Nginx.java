package dev.caravan.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx serving a Caravan repository folder on a free loopback port, for system tests: one
 * process, no daemon, every file it writes in a folder of the test's. Its server block is the one
 * {@code docs/repository.md} gives to users ({@link #SERVER_BLOCK}).
 */
public final class Nginx implements AutoCloseable {
    /** The server block users put in their nginx configuration: listen address and root are the two holes. */
    public static final String SERVER_BLOCK = """
                server {
                    listen      %s;
                    root        %s;
                    etag        on;
                    autoindex   off;
                    # the publisher writes no symbolic links: refuse them all below the root
                    disable_symlinks on from=$document_root;

                    # dot-files: the publisher's temporary files while it writes
                    location ~ /\\. { return 404; }
                    # consistent-snapshot metadata (N.root.json, N.snapshot.json, N.targets.json, ...);
                    # the publisher's gzip copy (P.gz) to clients that take gzip
                    location ~ "^/metadata/[0-9]+\\.[^/]+\\.json$" {
                        gzip_static  on;
                        gzip_vary    on;
                        gzip_proxied any;
                        add_header Cache-Control "public, max-age=31536000, immutable";
                    }
                    # hash-prefixed targets (manifests), and their gzip copies as above
                    location ~ "^/targets/(.*/)?([0-9a-f]{64}|[0-9a-f]{128})\\.[^/]+$" {
                        gzip_static  on;
                        gzip_vary    on;
                        gzip_proxied any;
                        add_header Cache-Control "public, max-age=31536000, immutable";
                    }
                    # content-addressed chunks
                    location /chunks/ {
                        add_header Cache-Control "public, max-age=31536000, immutable";
                    }
                    # timestamp.json and anything else that changes in place
                    location / {
                        add_header Cache-Control "no-cache";
                    }
                }
            """;

    private final Process process;
    private final Path errorLog;
    private final int port;

    private Nginx(Process process, Path errorLog, int port) {
        this.process = process;
        this.errorLog = errorLog;
        this.port = port;
    }

    /**
     * Starts nginx serving {@code repository}, keeping its configuration and logs in
     * {@code workDir}, and returns once it accepts connections. The binary is
     * {@code /usr/sbin/nginx} unless the system property {@code nginx} names another; a missing
     * binary fails with a message saying how to install it.
     */
    public static Nginx serve(Path repository, Path workDir) throws IOException {
        Path binary = Path.of(System.getProperty("nginx", "/usr/sbin/nginx"));
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("nginx not found at " + binary
                    + ": install it (apt-get install -y nginx-light; .ci/run does) or pass -Dnginx=PATH");
        }
        Path prefix = Files.createDirectories(workDir);
        Path errorLog = prefix.resolve("error.log");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path conf = Files.writeString(prefix.resolve("nginx.conf"), """
                # one process as the user running the test: no user switch, no pid in /run
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    types { application/json json; }
                    default_type application/octet-stream;
                    sendfile on;
                    tcp_nopush on;
                    keepalive_timeout 60s;
                    keepalive_requests 10000;
                %2$s
                }
                """.formatted(prefix, SERVER_BLOCK.formatted("127.0.0.1:" + port, repository.toAbsolutePath())));
        Path stdout = prefix.resolve("stdout.log");
        Process process = new ProcessBuilder(binary.toString(), "-p", prefix.toString(), "-c", conf.toString(),
                "-e", errorLog.toString())
                .redirectErrorStream(true)
                .redirectOutput(stdout.toFile())
                .start();
        Nginx nginx = new Nginx(process, errorLog, port);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nginx exited with " + process.exitValue() + ": "
                            + Files.readString(stdout) + (Files.exists(errorLog) ? Files.readString(errorLog) : ""));
                }
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return s.isConnected();
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            nginx.close();
            throw e;
        }
        return nginx;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT} (no trailing slash). */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** nginx's error log, for test failure messages. */
    public Path errorLog() {
        return errorLog;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
