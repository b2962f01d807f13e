package dev.caravan.origin.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin: an HTTP/1.1 server for one repository folder, the fallback every agent can reach
 * and the source of every byte at first. It serves files only (GET and HEAD, single byte
 * ranges, conditional requests, keep-alive, cache headers by file kind), so that nginx or a
 * CDN can serve the same folder in its place.
 *
 * <pre>{@code
 * try (OriginServer origin = new OriginServer(OriginConfig.plain(repo, "127.0.0.1", 0))) {
 *     InetSocketAddress address = origin.start();
 *     ... fetch origin.baseUri().resolve("metadata/timestamp.json") ...
 * }
 * }</pre>
 *
 * <p>Files are sent with {@code sendfile} on plain HTTP without an upload cap; with TLS or a cap
 * they go through the JVM in 64 KiB pieces. {@link #bytesSent()} counts every byte written to a
 * socket (headers and, with TLS, the encrypted records).
 */
public final class OriginServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OriginServer.class);
    /** How often the upload cap re-measures, in ms: short, so that pacing is smooth. */
    private static final long SHAPER_CHECK_INTERVAL_MILLIS = 100;
    /** Bytes one connection may have queued in the shaper before it stops producing more. */
    private static final long SHAPER_MAX_QUEUED_PER_CONNECTION = 256 * 1024;

    private final OriginConfig config;
    private final OriginTraffic traffic = new OriginTraffic();
    private EventLoopGroup acceptGroup;
    private EventLoopGroup ioGroup;
    private GlobalTrafficShapingHandler uploadCap;
    private Channel serverChannel;
    private InetSocketAddress address;
    private boolean closed;

    public OriginServer(OriginConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Opens the repository and listens; returns the bound address (with the actual port when
     * the config asked for port 0).
     *
     * @throws IOException if the repository folder or the TLS files cannot be read, or the
     *     address cannot be bound
     * @throws IllegalStateException if already started or closed
     */
    public synchronized InetSocketAddress start() throws IOException {
        if (serverChannel != null || closed) {
            throw new IllegalStateException("origin already started or closed");
        }
        RepositoryFiles files = new RepositoryFiles(config.repositoryRoot());
        SslContext tls = config.tls() ? serverTls() : null;
        acceptGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("origin-accept"), NioIoHandler.newFactory());
        ioGroup = new MultiThreadIoEventLoopGroup(config.workerThreads(), new DefaultThreadFactory("origin-io"),
                NioIoHandler.newFactory());
        if (config.uploadRateBytesPerSecond() > 0) {
            uploadCap = new GlobalTrafficShapingHandler(ioGroup.next(), config.uploadRateBytesPerSecond(), 0,
                    SHAPER_CHECK_INTERVAL_MILLIS);
            uploadCap.setMaxWriteSize(SHAPER_MAX_QUEUED_PER_CONNECTION);
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new OriginChannelInitializer(files, tls, uploadCap, traffic, config.idleTimeout()));
        ChannelFuture bound = bootstrap.bind(config.bindHost(), config.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutDownGroups();
            throw new IOException("origin cannot listen on " + config.bindHost() + ":" + config.port() + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        serverChannel = bound.channel();
        address = (InetSocketAddress) serverChannel.localAddress();
        log.info("origin serving {} at {} (upload cap: {}, I/O threads: {}, idle timeout: {})", files.root(), baseUri(),
                config.uploadRateBytesPerSecond() == 0 ? "none" : config.uploadRateBytesPerSecond() + " bytes/s",
                config.workerThreads(), config.idleTimeout());
        return address;
    }

    private SslContext serverTls() throws IOException {
        try {
            return SslContextBuilder.forServer(config.tlsCertificatePem().toFile(), config.tlsPrivateKeyPem().toFile())
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("origin TLS: cannot use tlsCertificatePem " + config.tlsCertificatePem()
                    + " with its tlsPrivateKeyPem (PEM certificate chain and PKCS#8 key expected): " + e.getMessage(), e);
        }
    }

    /** The bound address; only after {@link #start()}. */
    public synchronized InetSocketAddress address() {
        if (address == null) {
            throw new IllegalStateException("origin not started");
        }
        return address;
    }

    /**
     * The URL of the repository root, ending in {@code /}, e.g. {@code http://127.0.0.1:8080/}.
     * A wildcard bind address is shown as the loopback address.
     */
    public synchronized URI baseUri() {
        InetAddress host = address().getAddress();
        String hostText = host.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getHostAddress() : host.getHostAddress();
        if (hostText.indexOf(':') >= 0) {
            hostText = "[" + hostText + "]";
        }
        return URI.create((config.tls() ? "https" : "http") + "://" + hostText + ":" + address.getPort() + "/");
    }

    /** Bytes written to sockets so far, over all connections: headers, bodies, TLS records. */
    public long bytesSent() {
        return traffic.total();
    }

    /** Connections accepted so far (a client reusing keep-alive connections opens few). */
    public long connectionsAccepted() {
        return traffic.connections();
    }

    public OriginConfig config() {
        return config;
    }

    /** Stops listening, closes every connection and waits (a few seconds at most) for the threads to end. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
            log.info("origin at {} stopped after sending {} bytes", address, bytesSent());
        }
        shutDownGroups();
    }

    private void shutDownGroups() {
        if (uploadCap != null) {
            uploadCap.release();
        }
        if (acceptGroup != null) {
            acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        if (ioGroup != null) {
            ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            acceptGroup.terminationFuture().awaitUninterruptibly();
        }
    }
}
