package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.testkit.LeakCheck;
import dev.caravan.tracker.AnnounceEvent;
import dev.caravan.tracker.AnnounceRequest;
import dev.caravan.tracker.PeerAddress;
import dev.caravan.tracker.TrackerClient;
import dev.caravan.tracker.TrackerClientConfig;
import dev.caravan.tracker.TrackerException;
import dev.caravan.wire.Goodbye;
import dev.caravan.wire.Hello;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.tls.CertificateAuthority;
import dev.caravan.wire.tls.RevocationList;
import dev.caravan.wire.tls.TlsFiles;
import io.netty.channel.Channel;
import dev.caravan.testkit.MutableClock;
import dev.caravan.wire.tls.PeerIdentity;
import dev.caravan.wire.tls.Role;
import dev.caravan.wire.tls.TlsContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership over time: a machine that joins with a token takes part like any other, and a
 * machine whose certificate is revoked is cut off — its open connections closed and its new ones
 * refused — within the documented bound (the tracker's look at the CRL file plus one announce
 * interval; 1 s and 2 s here).
 */
@ExtendWith(LeakCheck.class)
class SwarmEnrollmentTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final SyntheticRelease RELEASE = new SyntheticRelease(4 << 20, 12, 5);
    private static final LocalSwarm.Options OPTIONS = LocalSwarm.Options.defaults().withRates(2 << 20, 0, 0)
            .withAnnounceInterval(Duration.ofSeconds(2));

    @RegisterExtension
    final WireFaults wireFaults = new WireFaults();

    @TempDir
    Path dir;

    @Test
    void aMachineEnrolledWithATokenJoinsTheSwarmAndInstallsTheTrueBytes() throws Exception {
        try (Deployment d = Deployment.start(dir, RELEASE, OPTIONS)) {
            String token = CertificateAuthority.joinToken(d.swarm().caDir(), "127.0.0.1:" + d.trackerPort(), "joiner",
                    Duration.ofHours(1));
            TlsFiles joiner = TlsFiles.in(dir.resolve("joiner"), "joiner");
            TrackerClient.enroll(token, joiner, TrackerClientConfig.defaults("127.0.0.1", d.trackerPort(), joiner));

            List<Agent> fleet = new ArrayList<>(Fleet.start(d.swarm(), "agent-", 2));
            fleet.add(d.swarm().startAgent("joiner", "default", joiner));
            Fleet.awaitInstalls(fleet);

            Fleet.assertInstalled(fleet, d.source());
        }
    }

    @Test
    void aRevokedMemberHasItsOpenConnectionClosedAndIsRefusedByPeersAndTheTracker() throws Exception {
        try (Deployment d = Deployment.start(dir, RELEASE, OPTIONS)) {
            List<Agent> fleet = Fleet.start(d.swarm(), "agent-", 1);
            Fleet.awaitInstalls(fleet);
            Agent agent = fleet.getFirst();
            TlsFiles member = TlsFiles.in(d.swarm().issue("member"), "member");

            try (FakePeer peer = new FakePeer(member, d.manifest(), null, Duration.ZERO);
                    TrackerClient asMember = new TrackerClient(TrackerClientConfig.defaults("127.0.0.1", d.trackerPort(), member))) {
                Channel open = peer.dial(agent);
                await().atMost(WAIT).until(() -> peer.received().stream().anyMatch(Hello.class::isInstance));
                asMember.announce(stopped());

                RevocationList.revoke(d.swarm().caDir(), "member", Instant.now());

                assertThat(open.closeFuture().await(WAIT.toMillis())).as("the open connection was closed").isTrue();
                assertThat(peer.farewells()).extracting(FakePeer.Farewell::reason).containsExactly(Goodbye.Reason.REVOKED);
                long before = peer.bytesReceived();
                int told = peer.received().size();
                Channel again = peer.dial(agent);
                String refusal = "peer " + again.localAddress() + ": TLS refused";
                assertThat(again.closeFuture().await(WAIT.toMillis())).as("the agent closed the new connection").isTrue();
                await().atMost(WAIT).until(() -> wireFaults.lines().stream().anyMatch(l -> l.startsWith(refusal)
                        && l.contains("is revoked")));
                assertThat(peer.bytesReceived()).as("application bytes after the revocation").isEqualTo(before);
                assertThat(peer.received()).hasSize(told);
                assertThatThrownBy(() -> asMember.announce(stopped())).isInstanceOf(TrackerException.class)
                        .hasMessageContaining("TLS");
            }
        }
    }

    /**
     * Time is the agent's injected clock: moved past two thirds of its 24 h certificate, the agent
     * renews at its next announce, with a new key, and peers that connect then see the new
     * certificate; no restart, no sleeping for hours.
     */
    @Test
    void anAgentRenewsItsCertificateBeforeItExpiresAndNewConnectionsPresentTheNewOne() throws Exception {
        try (Deployment d = Deployment.start(dir, RELEASE, OPTIONS)) {
            String token = CertificateAuthority.joinToken(d.swarm().caDir(), "127.0.0.1:" + d.trackerPort(), "renewer",
                    Duration.ofHours(1));
            TlsFiles files = TlsFiles.in(dir.resolve("renewer"), "renewer");
            X509Certificate first = TrackerClient.enroll(token, files, TrackerClientConfig.defaults("127.0.0.1", 1, files));
            String firstKey = Files.readString(files.privateKey());
            MutableClock clock = new MutableClock(Instant.now());
            Agent agent = d.swarm().startAgent("renewer", "default", files, d.swarm().originUrl(), clock);
            Fleet.awaitInstalls(List.of(agent));
            assertThat(servedCertificate(d, agent).serial()).isEqualTo(first.getSerialNumber());

            clock.advance(Duration.ofHours(17));

            await().atMost(WAIT).until(() -> !files.readCertificate().getSerialNumber().equals(first.getSerialNumber()));
            X509Certificate renewed = files.readCertificate();
            assertThat(renewed.getNotAfter()).isAfter(first.getNotAfter());
            assertThat(Files.readString(files.privateKey())).as("a new key").isNotEqualTo(firstKey);
            assertThat(PeerIdentity.of(renewed).name()).isEqualTo("renewer");
            // the files are in place a moment before the agent's listener takes them up
            await().atMost(WAIT).until(() -> servedCertificate(d, agent).serial().equals(renewed.getSerialNumber()));
        }
    }

    /** The certificate an agent's peer listener presents to a new connection. */
    private static PeerIdentity servedCertificate(Deployment d, Agent agent) throws Exception {
        TlsFiles visitor = TlsFiles.in(d.swarm().issue("visitor"), "visitor");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            SslContext tls = TlsContexts.client(visitor, Set.of(Role.AGENT));
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel c) {
                    c.pipeline().addLast(tls.newHandler(c.alloc()));
                }
            }).connect(agent.settings().peer().listenHost(), agent.peerPort()).sync().channel();
            SslHandler handler = ch.pipeline().get(SslHandler.class);
            handler.handshakeFuture().sync();
            PeerIdentity who = PeerIdentity.of(handler.engine().getSession());
            ch.close().sync();
            return who;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static AnnounceRequest stopped() {
        return new AnnounceRequest(PeerId.random(new SecureRandom()), PeerAddress.wildcard(1), "default", List.of(),
                AnnounceEvent.STOPPED);
    }
}
