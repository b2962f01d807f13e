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
import java.nio.file.Path;
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
            int port = fleet.getFirst().peerPort();
            TlsFiles member = TlsFiles.in(d.swarm().issue("member"), "member");

            try (FakePeer peer = new FakePeer(member, d.manifest(), null, Duration.ZERO);
                    TrackerClient asMember = new TrackerClient(TrackerClientConfig.defaults("127.0.0.1", d.trackerPort(), member))) {
                Channel open = peer.dial(port);
                await().atMost(WAIT).until(() -> peer.received().stream().anyMatch(Hello.class::isInstance));
                asMember.announce(stopped());

                RevocationList.revoke(d.swarm().caDir(), "member", Instant.now());

                assertThat(open.closeFuture().await(WAIT.toMillis())).as("the open connection was closed").isTrue();
                assertThat(peer.farewells()).extracting(FakePeer.Farewell::reason).containsExactly(Goodbye.Reason.REVOKED);
                long before = peer.bytesReceived();
                int told = peer.received().size();
                Channel again = peer.dial(port);
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

    private static AnnounceRequest stopped() {
        return new AnnounceRequest(PeerId.random(new SecureRandom()), PeerAddress.wildcard(1), "default", List.of(),
                AnnounceEvent.STOPPED);
    }
}
