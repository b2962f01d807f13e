package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.origin.server.OriginConfig;
import dev.caravan.origin.server.OriginServer;
import dev.caravan.testkit.LeakCheck;
import dev.caravan.wire.Bitfield;
import dev.caravan.wire.Hello;
import dev.caravan.wire.Message;
import dev.caravan.wire.tls.CertificateAuthority;
import dev.caravan.wire.tls.Role;
import dev.caravan.wire.tls.TlsFiles;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine whose certificate comes from another CA gets no byte of content from the fleet, in
 * either direction: its dial is refused by an agent's listener, and agents refuse to talk to it
 * when it listens.
 */
@ExtendWith(LeakCheck.class)
class SwarmForeignCertificateTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final SyntheticRelease RELEASE = new SyntheticRelease(4 << 20, 12, 5);
    private static final LocalSwarm.Options SLOW_ORIGIN = LocalSwarm.Options.defaults().withRates(2 << 20, 0, 0);

    @RegisterExtension
    final WireFaults wireFaults = new WireFaults();

    @TempDir
    Path dir;
    /** A certificate for the role agent, issued by a CA the deployment never heard of. */
    TlsFiles stranger;

    @BeforeEach
    void makeAStranger() throws IOException {
        Path foreignCa = dir.resolve("foreign-ca");
        CertificateAuthority.init(foreignCa);
        CertificateAuthority.issue(foreignCa, "stranger", Role.AGENT, List.of(InetAddress.getLoopbackAddress()),
                dir.resolve("foreign-certs"), CertificateAuthority.DEFAULT_VALIDITY);
        stranger = TlsFiles.in(dir.resolve("foreign-certs"), "stranger");
    }

    /**
     * The stranger can read the signed metadata, so it knows the release and wants its chunks, but
     * its origin has none: peers are its only source, and neither the tracker nor they talk to it.
     */
    @Test
    void anAgentWithAForeignCertificateNeverInstallsAndHoldsNoChunkWhileTheFleetCompletes() throws Exception {
        try (Deployment d = Deployment.start(dir, RELEASE, SLOW_ORIGIN);
                OriginServer metadataOnly = new OriginServer(OriginConfig.plain(metadataOnlyCopy(d.swarm().repo()), "127.0.0.1", 0))) {
            Agent outsider = d.swarm().startAgent("stranger", "default", stranger,
                    "http://127.0.0.1:" + metadataOnly.start().getPort());
            List<Agent> fleet = Fleet.start(d.swarm(), "agent-", 3);
            await().atMost(WAIT).until(() -> outsider.status().release() != null);

            Fleet.awaitInstalls(fleet);

            Fleet.assertInstalled(fleet, d.source());
            assertThat(outsider.firstInstall()).as("the stranger's install").isNotDone();
            assertThat(outsider.status().chunksHeld()).as("chunks the stranger holds").isZero();
            assertThat(filesUnder(outsider.settings().cacheDir().resolve("chunks"))).as("the stranger's chunk store").isEmpty();
            assertThat(outsider.currentDir()).as("the stranger's current install").doesNotExist();
        }
    }

    /**
     * The stranger dials an agent's peer port directly. It trusts the deployment's CA and shows its
     * certificate though the agent asks for one from its own CA, so only the agent's check of that
     * certificate stands in the way; an enrolled client doing the same gets HELLO and BITFIELD.
     */
    @Test
    void aClientWithAForeignCertificateDialingAnAgentIsRefusedAndReceivesNoApplicationByte() throws Exception {
        try (Deployment d = Deployment.start(dir, RELEASE, LocalSwarm.Options.defaults())) {
            List<Agent> fleet = Fleet.start(d.swarm(), "agent-", 1);
            Fleet.awaitInstalls(fleet);
            Agent agent = fleet.getFirst();

            try (FakePeer enrolled = new FakePeer(TlsFiles.in(d.swarm().issue("visitor"), "visitor"), d.manifest(), null, Duration.ZERO)) {
                enrolled.dial(agent);
                await().atMost(WAIT).until(() -> enrolled.received().size() >= 2);
                assertThat(enrolled.received()).as("what an enrolled client is told first")
                        .extracting(Message::getClass).startsWith(Hello.class, Bitfield.class);
            }
            try (FakePeer outsider = new FakePeer(strangerTrusting(d), d.manifest(), null, Duration.ZERO)) {
                Channel connection = outsider.dial(agent, InsistentClientTls.context(strangerTrusting(d)));
                String refusal = "peer " + connection.localAddress() + ": TLS refused";

                assertThat(connection.closeFuture().await(WAIT.toMillis())).as("the agent closed the connection").isTrue();
                await().atMost(WAIT).until(() -> wireFaults.lines().stream().anyMatch(l -> l.startsWith(refusal)));
                assertThat(outsider.bytesReceived()).as("application bytes the stranger received").isZero();
                assertThat(outsider.received()).as("messages the stranger received").isEmpty();
            }
        }
    }

    /**
     * A stranger listening, announced to the tracker by an enrolled accomplice as holding the whole
     * release: the agents dial it and hang up in the handshake, and complete without it.
     */
    @Test
    void agentsDialingAListenerWithAForeignCertificateRefuseItAndCompleteWithoutIt() throws Exception {
        try (Deployment d = Deployment.start(dir, RELEASE, SLOW_ORIGIN);
                FakePeer outsider = new FakePeer(strangerTrusting(d), d.manifest(), FakePeer.Blocks.honest(d), Duration.ZERO)) {
            outsider.seed(d, TlsFiles.in(d.swarm().issue("accomplice"), "accomplice"));
            List<Agent> fleet = Fleet.start(d.swarm(), "agent-", 2);

            Fleet.awaitInstalls(fleet);

            Fleet.assertInstalled(fleet, d.source());
            assertThat(outsider.connectionsAccepted()).as("agents' connections to the stranger").isPositive();
            assertThat(outsider.handshakesCompleted()).as("handshakes the stranger completed").isZero();
            assertThat(outsider.bytesReceived()).as("application bytes the stranger received").isZero();
            assertThat(outsider.blocksSent()).as("blocks the stranger sent").isZero();
        }
    }

    /** The stranger's certificate and key, trusting the deployment's CA as well as any member. */
    private TlsFiles strangerTrusting(Deployment d) {
        return new TlsFiles(stranger.certificate(), stranger.privateKey(), d.swarm().caDir().resolve(CertificateAuthority.CA_CERT));
    }

    /** A copy of the repository's signed metadata and manifests, without a single chunk. */
    private Path metadataOnlyCopy(Path repo) throws IOException {
        Path copy = Files.createDirectories(dir.resolve("metadata-only"));
        for (String folder : List.of("metadata", "targets")) {
            try (Stream<Path> files = Files.walk(repo.resolve(folder))) {
                for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
                    Files.copy(f, copy.resolve(repo.relativize(f).toString()));
                }
            }
        }
        return copy;
    }

    private static List<Path> filesUnder(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
