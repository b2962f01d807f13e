package dev.caravan.tracker;

import dev.caravan.wire.tls.CertificateRequests;
import dev.caravan.wire.tls.EnrollmentException;
import dev.caravan.wire.tls.JoinToken;
import dev.caravan.wire.tls.Revocations;
import dev.caravan.wire.tls.Role;
import dev.caravan.wire.tls.TlsFiles;
import io.netty.handler.codec.http.HttpMethod;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import dev.caravan.wire.tls.TlsContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What an agent uses to announce to a tracker: HTTPS over mutual TLS 1.3, presenting the agent's
 * certificate and accepting only a tracker's certificate from the deployment CA.
 *
 * <pre>{@code
 * try (TrackerClient client = new TrackerClient(TrackerClientConfig.defaults("tracker.example", 7070, tls))) {
 *     AnnounceResponse answer = client.announce(request);   // blocks; schedule the next in answer.interval()
 * }
 * }</pre>
 *
 * <p>Implementation notes: each announce opens its own connection and closes it after the answer.
 * Announces are rare (one per interval, 30 s by default), and a fresh connection makes a full
 * TLS handshake each time, so the tracker checks the agent's certificate at every announce
 * (revocation will rely on that) and holds no idle connection per agent.
 *
 * <p>Thread-safe; {@link #announce} must not be called from one of this client's I/O threads.
 */
public final class TrackerClient implements AutoCloseable {
    private final TrackerClientConfig config;
    private final Revocations revocations;
    private volatile SslContext tls;
    private final EventLoopGroup group;
    private final String tracker;

    /**
     * A client for the tracker {@code config} names.
     *
     * @throws IOException if the agent's certificate, key or CA cannot be read
     */
    public TrackerClient(TrackerClientConfig config) throws IOException {
        this(config, new Revocations(config.tls().readCa()));
    }

    /** A client that also refuses a tracker whose certificate {@code revocations} lists. */
    public TrackerClient(TrackerClientConfig config, Revocations revocations) throws IOException {
        this(config, revocations, TlsContexts.client(config.tls(), Set.of(Role.TRACKER), revocations));
    }

    private TrackerClient(TrackerClientConfig config, Revocations revocations, SslContext tls) {
        this.config = Objects.requireNonNull(config, "config");
        this.revocations = revocations;
        this.tls = tls;
        this.tracker = new PeerAddress(config.host(), config.port()).toString();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tracker-client", true), NioIoHandler.newFactory());
    }

    /**
     * Announces and waits for the answer, at most {@link TrackerClientConfig#requestTimeout()}.
     *
     * @throws TrackerUnavailableException if the tracker cannot be reached, does not answer in
     *     time, closes the connection, or answers 5xx (retry later)
     * @throws TrackerRejectedException if the tracker refuses the request (4xx)
     * @throws TrackerException if the TLS handshake fails or the answer is malformed
     */
    public AnnounceResponse announce(AnnounceRequest request) throws TrackerException {
        AnnounceExchangeHandler.Answer a = exchange(tls, HttpMethod.POST, "/v1/announce", AnnounceRequestJson.write(request));
        if (a.status() == 200) {
            return AnnounceResponseJson.read(a.body());
        }
        throw failure("announce", a);
    }

    /**
     * The CA's revocation list as the tracker has it (DER), or null if the tracker has none. The
     * caller checks the CA's signature ({@code Revocations.update}).
     *
     * @throws TrackerException as {@link #announce} does
     */
    public byte[] revocationList() throws TrackerException {
        AnnounceExchangeHandler.Answer a = exchange(tls, HttpMethod.GET, "/v1/crl", new byte[0]);
        if (a.status() == 200) {
            return a.body();
        }
        if (a.status() == 404) {
            return null;
        }
        throw failure("revocation list request", a);
    }

    /**
     * Asks for a new certificate for {@code keys}' public key, presenting the current one; stores
     * it (key, CA and certificate, atomically, the certificate last) into this client's TLS files and
     * uses it for the next requests.
     *
     * @return the new certificate
     * @throws TrackerException as {@link #announce} does; {@link TrackerRejectedException} if the
     *     tracker refuses (the current certificate is revoked, or it does not renew)
     */
    public X509Certificate renew(KeyPair keys, String name) throws IOException {
        AnnounceExchangeHandler.Answer a = exchange(tls, HttpMethod.POST, "/v1/renew",
                EnrollmentJson.request(null, CertificateRequests.create(keys, name)));
        if (a.status() != 200) {
            throw failure("renewal", a);
        }
        EnrollmentJson.Answer answer = EnrollmentJson.readAnswer(a.body());
        X509Certificate cert = config.tls().store(keys, answer.certificatePem(), answer.caPem(),
                JoinToken.fingerprint(config.tls().readCa()));
        tls = TlsContexts.client(config.tls(), Set.of(Role.TRACKER), revocations);
        return cert;
    }

    /**
     * Enrolls this machine with a join token: makes a key here (kept in {@link TlsFiles#pendingKey}
     * until the certificate is stored, so that a call whose answer was lost can be made again with
     * the same token: the tracker answers it with the certificate it issued for that key), sends a
     * certificate request to the tracker the token names over TLS that accepts only a tracker
     * chaining to the CA whose fingerprint the token carries (before the token is sent), and stores
     * the answer into {@code files} (the key {@code 0600}; each file atomically; the certificate last).
     *
     * @return the new certificate
     * @throws EnrollmentException if the token is malformed
     * @throws TrackerException if the tracker cannot be reached, is not the token's CA's
     *     ({@code certificate} in the message), or refuses the token
     */
    public static X509Certificate enroll(String token, TlsFiles files, TrackerClientConfig timeouts) throws IOException,
            EnrollmentException {
        JoinToken t = JoinToken.read(token);
        KeyPair keys = files.enrollmentKeys(t.id());
        PeerAddress tracker = PeerAddress.parse(t.tracker());
        TrackerClientConfig config = new TrackerClientConfig(tracker.host(), tracker.port(), files, timeouts.connectTimeout(),
                timeouts.requestTimeout(), timeouts.maxResponseBytes());
        try (TrackerClient client = new TrackerClient(config, null, TlsContexts.joiningClient(t.caFingerprint()))) {
            AnnounceExchangeHandler.Answer a = client.exchange(client.tls, HttpMethod.POST, "/v1/enroll",
                    EnrollmentJson.request(token, CertificateRequests.create(keys, t.name())));
            if (a.status() != 200) {
                throw client.failure("enrollment", a);
            }
            EnrollmentJson.Answer answer = EnrollmentJson.readAnswer(a.body());
            return files.store(keys, answer.certificatePem(), answer.caPem(), t.caFingerprint());
        }
    }

    private TrackerException failure(String request, AnnounceExchangeHandler.Answer a) {
        if (a.status() >= 400 && a.status() < 500) {
            return AnnounceResponseJson.rejection(request, a.status(), a.body());
        }
        return new TrackerUnavailableException("tracker " + tracker + " answered " + a.status());
    }

    private AnnounceExchangeHandler.Answer exchange(SslContext context, HttpMethod method, String path, byte[] body)
            throws TrackerException {
        for (EventExecutor e : group) {
            if (e.inEventLoop()) {
                throw new IllegalStateException("requests block; do not call them from the client's I/O thread");
            }
        }
        CompletableFuture<AnnounceExchangeHandler.Answer> answer = new CompletableFuture<>();
        ChannelFuture connect = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(context.newHandler(ch.alloc()), new HttpClientCodec(),
                                new HttpObjectAggregator(config.maxResponseBytes()),
                                new AnnounceExchangeHandler(method, path, body, tracker, tracker, answer));
                    }
                })
                .connect(config.host(), config.port());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                answer.completeExceptionally(new TrackerUnavailableException("cannot connect to tracker " + tracker + ": "
                        + f.cause().getMessage(), f.cause()));
            }
        });
        try {
            return answer.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof TrackerException t ? t
                    : new TrackerUnavailableException(path + " to tracker " + tracker + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new TrackerUnavailableException("tracker " + tracker + " did not answer within " + config.requestTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrackerUnavailableException("interrupted while calling tracker " + tracker);
        } finally {
            connect.channel().close();
        }
    }

    /** Closes the client's I/O thread; announces in flight fail. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
