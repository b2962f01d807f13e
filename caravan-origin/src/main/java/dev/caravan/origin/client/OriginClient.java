package dev.caravan.origin.client;

import dev.caravan.tuf.RemoteFetcher;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * An HTTP/1.1 client for origins (Caravan's own, nginx, a CDN): fetches whole files or byte
 * ranges into memory over a few keep-alive connections per origin, http or https, never reading
 * more than the caller allows. It is the TUF client's {@link RemoteFetcher} and the downloader of
 * chunks the swarm cannot provide.
 *
 * <pre>{@code
 * try (OriginClient client = new OriginClient(OriginClientConfig.defaults())) {
 *     byte[] timestamp = client.fetch("https://origin.example/metadata/timestamp.json", 16 * 1024);
 *     CompletableFuture<byte[]> chunk = client.fetchAsync(origin + "chunks/ab/ab12…", 4 << 20);
 * }
 * }</pre>
 *
 * <p>Whole files are asked for with {@code Accept-Encoding: gzip} and a gzip body is inflated
 * before it is handed over, under the same cap ({@link Exchange}): origins that keep gzip copies
 * of metadata and manifests send a quarter of the bytes. Byte ranges, and chunks fetched with
 * {@link #fetchAsStored}, are asked for as they are.
 *
 * <p>Errors: 404 and 410 give {@link NotFoundException}; a body over the cap (by Content-Length
 * or as it streams) gives {@link TooLargeException} and closes that connection; any other
 * status, a connect or read timeout, a response slower on average than
 * {@link OriginClientConfig#minBytesPerSecond()} (slow retrieval; that connection is closed too),
 * or a broken connection gives an {@link IOException} naming the URL. So once sent, a request
 * lasts no longer than {@code minRateGrace} or its size cap at {@code minBytesPerSecond},
 * whichever is longer (unless that check is turned off). Retrying is the caller's business,
 * except that a request whose pooled connection turns out to have been closed by the server is
 * sent once more on a new one.
 *
 * <p>Thread-safe. Futures complete on {@link ForkJoinPool#commonPool()}, never on an I/O thread,
 * so dependent stages may hash, verify or write to disk. {@link #bytesReceived()} counts every
 * byte read from the network (headers, bodies, TLS records).
 */
public final class OriginClient implements RemoteFetcher, AutoCloseable {

    /** Longest response header block accepted. */
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Largest piece of body handed up at once; bigger pieces mean fewer copies and objects. */
    private static final int MAX_CONTENT_PIECE_BYTES = 256 * 1024;

    private final OriginClientConfig config;
    private final EventLoopGroup group;
    /** Made on the first https fetch: loading the JDK's trust store costs a second of a short run. */
    private volatile SslContext tls;
    private final ReceivedBytesCounter receivedBytes = new ReceivedBytesCounter();
    private final Map<String, HostPool> pools = new ConcurrentHashMap<>();
    private final Set<Exchange> live = ConcurrentHashMap.newKeySet();
    private final Executor completions = ForkJoinPool.commonPool();
    private volatile boolean closed;

    /**
     * @throws IOException if the trusted CA file cannot be read or holds no certificate
     */
    public OriginClient(OriginClientConfig config) throws IOException {
        this.config = Objects.requireNonNull(config, "config");
        if (config.trustedCaPem() != null) {
            tls(); // a CA file given is checked at once
        }
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("origin-client", true),
                NioIoHandler.newFactory());
    }

    private synchronized SslContext tls() throws IOException {
        if (tls == null) {
            SslContextBuilder tlsBuilder = SslContextBuilder.forClient()
                    .protocols("TLSv1.3", "TLSv1.2")
                    .endpointIdentificationAlgorithm("HTTPS");
            try {
                if (config.trustedCaPem() != null) {
                    tlsBuilder.trustManager(config.trustedCaPem().toFile());
                }
                tls = tlsBuilder.build();
            } catch (SSLException | IllegalArgumentException e) {
                throw new IOException("origin client cannot use the CA certificates in trustedCaPem " + config.trustedCaPem()
                        + ": " + e.getMessage(), e);
            }
        }
        return tls;
    }

    /** The whole file at {@code url}, at most {@code maxBytes} long; blocks until it is here. */
    @Override
    public byte[] fetch(String url, long maxBytes) throws IOException {
        return await(fetchAsync(url, maxBytes), url);
    }

    /**
     * Starts fetching the whole file at {@code url}, at most {@code maxBytes} long. Requests
     * beyond the connections available wait in line; cancelling the future drops a waiting
     * request, or closes the connection of one in progress.
     */
    public CompletableFuture<byte[]> fetchAsync(String url, long maxBytes) {
        return submit(url, requireMaxBytes(maxBytes), -1, 0, true);
    }

    /**
     * Like {@link #fetch}, without asking for gzip: for files that do not compress (chunks), which
     * a server compressing on the fly would only spend CPU on.
     */
    public byte[] fetchAsStored(String url, long maxBytes) throws IOException {
        return await(submit(url, requireMaxBytes(maxBytes), -1, 0, false), url);
    }

    private static long requireMaxBytes(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        return maxBytes;
    }

    /**
     * Bytes {@code offset .. offset+length-1} of the file at {@code url}, to resume a download;
     * fewer if the file ends sooner. Fails if the origin ignores the range, or (416) if the
     * file has no byte at {@code offset}.
     */
    public byte[] fetchRange(String url, long offset, long length) throws IOException {
        return await(fetchRangeAsync(url, offset, length), url);
    }

    /** {@link #fetchRange} without blocking. */
    public CompletableFuture<byte[]> fetchRangeAsync(String url, long offset, long length) {
        if (offset < 0 || length < 1 || offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("bad byte range: offset " + offset + ", length " + length);
        }
        return submit(url, length, offset, length, false);
    }

    /** Bytes read from the network so far: headers, bodies and TLS records, over all connections. */
    public long bytesReceived() {
        return receivedBytes.total();
    }

    public OriginClientConfig config() {
        return config;
    }

    private CompletableFuture<byte[]> submit(String url, long maxBytes, long rangeFirst, long rangeLength, boolean acceptGzip) {
        OriginUrl target;
        try {
            target = OriginUrl.parse(url);
        } catch (MalformedURLException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IOException("origin client closed; cannot fetch " + url));
        }
        if (target.https()) {
            try {
                tls();
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        Exchange exchange = new Exchange(target, maxBytes, rangeFirst, rangeLength, acceptGzip, completions);
        live.add(exchange);
        exchange.result.whenComplete((bytes, failure) -> live.remove(exchange));
        pools.computeIfAbsent(target.origin(), origin -> newPool(target)).submit(exchange);
        return exchange.result;
    }

    private HostPool newPool(OriginUrl target) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .remoteAddress(InetSocketAddress.createUnresolved(target.host(), target.port()));
        HostPool pool = new HostPool(target.origin(), bootstrap, group.next(), config.maxConnectionsPerHost());
        bootstrap.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelPipeline p = ch.pipeline();
                p.addLast("received-bytes", receivedBytes);
                if (target.https()) {
                    SslHandler handler = tls.newHandler(ch.alloc(), target.host(), target.port());
                    handler.setHandshakeTimeoutMillis(config.connectTimeout().toMillis());
                    p.addLast("tls", handler);
                }
                p.addLast("http", new HttpClientCodec(new HttpDecoderConfig()
                        .setMaxHeaderSize(MAX_HEADER_BYTES)
                        .setMaxChunkSize(MAX_CONTENT_PIECE_BYTES), false, false));
                p.addLast("response", new ResponseHandler(pool, config));
            }
        });
        return pool;
    }

    private byte[] await(CompletableFuture<byte[]> future, String url) throws IOException {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                throw new IllegalStateException("blocking fetch on an origin client I/O thread would deadlock: " + url);
            }
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching " + url);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("fetching " + url + " failed: " + cause, cause);
        }
    }

    /** Closes every connection and fails what is still in progress; waits a few seconds at most. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pools.values().forEach(HostPool::close);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        for (Exchange exchange : live) {
            exchange.result.completeExceptionally(new IOException("origin client closed before " + exchange.url + " was fetched"));
        }
    }
}
