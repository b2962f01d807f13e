package dev.caravan.wire.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.caravan.testkit.LeakCheck;
import dev.caravan.wire.Data;
import dev.caravan.wire.Hello;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Real sockets on 127.0.0.1: who completes a handshake with a peer's listener, and who gets nothing. */
@ExtendWith(LeakCheck.class)
class TlsContextsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir
    static Path dir;
    static EventLoopGroup group;
    static Path ca;
    static Path certs;

    @BeforeAll
    static void setUp() throws IOException {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        ca = dir.resolve("ca");
        certs = dir.resolve("certs");
        CertificateAuthority.init(ca);
        CertificateAuthority.issue(ca, "agent-a", Role.AGENT, certs, CertificateAuthority.DEFAULT_VALIDITY);
        CertificateAuthority.issue(ca, "agent-b", Role.AGENT, certs, CertificateAuthority.DEFAULT_VALIDITY);
        CertificateAuthority.issue(ca, "tracker-1", Role.TRACKER, certs, CertificateAuthority.DEFAULT_VALIDITY);
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void twoAgentsFromOneCaShakeHandsOverTls13AndExchangeMessages() throws Exception {
        byte[] block = new byte[Data.MAX_BLOCK_BYTES];
        new Random(3).nextBytes(block);
        TlsEndpoint server = new TlsEndpoint(peerServer(), "server-group");
        TlsEndpoint client = new TlsEndpoint(TlsContexts.client(TlsFiles.in(certs, "agent-b"), Set.of(Role.AGENT)), "client-group", block);
        Channel listener = listen(server);
        try {
            connect(listener, client);
            Channel c = client.handshake.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Channel s = server.handshake.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            await().atMost(WAIT).until(() -> server.received.size() == 2 && !client.received.isEmpty());
            assertThat(server.received.get(0)).extracting(m -> ((Hello) m).group()).isEqualTo("client-group");
            assertThat(server.received.get(1)).isEqualTo(new Data(0, 0, Unpooled.wrappedBuffer(block)));
            assertThat(client.received).singleElement().extracting(m -> ((Hello) m).group()).isEqualTo("server-group");

            assertThat(client.sslHandler().engine().getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(PeerIdentity.of(server.sslHandler().engine().getSession()))
                    .extracting(PeerIdentity::name, PeerIdentity::role).containsExactly("agent-b", Role.AGENT);
            assertThat(PeerIdentity.of(client.sslHandler().engine().getSession()))
                    .extracting(PeerIdentity::name, PeerIdentity::role).containsExactly("agent-a", Role.AGENT);
            c.close().sync();
            s.closeFuture().await(WAIT.toMillis());
        } finally {
            listener.close().sync();
        }
    }

    @Test
    void aClientFromAnotherCaIsRefusedAndGetsNoByte() throws Exception {
        Path otherCa = dir.resolve("other-ca");
        CertificateAuthority.init(otherCa);
        CertificateAuthority.issue(otherCa, "agent-b", Role.AGENT, dir.resolve("other-certs"), CertificateAuthority.DEFAULT_VALIDITY);
        // The stranger trusts our CA, so only the server's check of its certificate stands in its way.
        TlsFiles stranger = new TlsFiles(dir.resolve("other-certs/agent-b.crt"), dir.resolve("other-certs/agent-b.key"), ca.resolve("ca.crt"));
        assertRefused(TlsContexts.client(stranger, Set.of(Role.AGENT)));
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        assertRefused(SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols("TLSv1.3")
                .trustManager(ca.resolve("ca.crt").toFile()).endpointIdentificationAlgorithm(null).build());
    }

    @Test
    void aTls12OnlyClientIsRefused() throws Exception {
        TlsFiles b = TlsFiles.in(certs, "agent-b");
        assertRefused(SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols("TLSv1.2")
                .keyManager(b.certificate().toFile(), b.privateKey().toFile())
                .trustManager(ca.resolve("ca.crt").toFile()).endpointIdentificationAlgorithm(null).build());
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Path out = dir.resolve("expired");
        CertificateAuthority.issue(ca, "agent-old", Role.AGENT, List.of(), out, now.minus(Duration.ofDays(31)), now.minus(Duration.ofDays(1)));
        assertRefused(TlsContexts.client(TlsFiles.in(out, "agent-old"), Set.of(Role.AGENT)));
    }

    @Test
    void aTrackerCertificateCannotPassForAnAgent() throws Exception {
        assertRefused(TlsContexts.client(TlsFiles.in(certs, "tracker-1"), Set.of(Role.AGENT)));
    }

    @Test
    void aClientExpectingATrackerRefusesAnAgentsServer() throws Exception {
        TlsEndpoint server = new TlsEndpoint(peerServer(), "server-group");
        TlsEndpoint client = new TlsEndpoint(TlsContexts.client(TlsFiles.in(certs, "agent-b"), Set.of(Role.TRACKER)), "client-group");
        Channel listener = listen(server);
        try {
            connect(listener, client);
            assertThatThrownBy(() -> client.handshake.join()).isInstanceOf(CompletionException.class)
                    .rootCause().hasMessageContaining("peer agent-a has role agent; this endpoint accepts [tracker]");
            client.channel.join().closeFuture().await(WAIT.toMillis());
            assertThat(client.received).isEmpty();
            assertThat(server.received).isEmpty();
        } finally {
            listener.close().sync();
        }
    }

    @Test
    void missingFilesFailNamingTheFile() {
        TlsFiles none = TlsFiles.in(dir.resolve("nowhere"), "agent-z");
        assertThatThrownBy(() -> TlsContexts.server(none, Set.of(Role.AGENT)))
                .isInstanceOf(IOException.class).hasMessageContaining("agent-z.crt");
    }

    /** The server's handshake fails, the connection closes, and neither side receives a message. */
    private void assertRefused(SslContext clientContext) throws Exception {
        TlsEndpoint server = new TlsEndpoint(peerServer(), "server-group");
        TlsEndpoint client = new TlsEndpoint(clientContext, "client-group");
        Channel listener = listen(server);
        try {
            connect(listener, client);
            assertThatThrownBy(() -> server.handshake.get(WAIT.toSeconds(), TimeUnit.SECONDS)).hasCauseInstanceOf(Exception.class);
            Channel c = client.channel.join();
            assertThat(c.closeFuture().await(WAIT.toMillis())).as("client connection closed").isTrue();
            assertThat(client.received).as("messages the refused client received").isEmpty();
            assertThat(server.received).as("messages the server received from a refused client").isEmpty();
        } finally {
            listener.close().sync();
        }
    }

    private static SslContext peerServer() throws IOException {
        return TlsContexts.server(TlsFiles.in(certs, "agent-a"), Set.of(Role.AGENT));
    }

    private static Channel listen(TlsEndpoint server) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class).childHandler(server)
                .bind("127.0.0.1", 0).sync().channel();
    }

    private static void connect(Channel listener, TlsEndpoint client) throws InterruptedException {
        new Bootstrap().group(group).channel(NioSocketChannel.class).handler(client)
                .connect((InetSocketAddress) listener.localAddress()).sync();
    }
}
