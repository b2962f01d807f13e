package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.core.Digest;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.core.manifest.ManifestFile;
import dev.caravan.testkit.LeakCheck;
import dev.caravan.wire.Bitfield;
import dev.caravan.wire.Goodbye;
import dev.caravan.wire.Hello;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.tls.TlsFiles;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent announces a release as soon as its signed targets name it, before the manifest has
 * arrived (protocol.md §4, rule 4). A peer that dials it about that release meanwhile waits for the
 * manifest instead of being turned away, and what it sent while waiting is handled in order once
 * the release is offered.
 */
@ExtendWith({LeakCheck.class, WireFaults.class})
class ReleaseExpectedTest {
    @TempDir
    Path dir;

    private Deployment d;
    private PeerNetwork network;
    private InetSocketAddress at;
    /** Dials the network as a seed: a full BITFIELD and UNCHOKE right after its INTEREST. */
    private FakePeer seed;

    @BeforeEach
    void start() throws Exception {
        d = Deployment.start(dir, new SyntheticRelease(2 << 20, 4, 7), LocalSwarm.Options.defaults());
        network = network(d);
        at = network.start();
        seed = fake(d).dialingAsSeed();
    }

    @AfterEach
    void stop() {
        if (seed != null) {
            seed.close();
        }
        if (network != null) {
            network.close();
        }
        if (d != null) {
            d.close();
        }
    }

    @Test
    void aPeerAskingAboutAReleaseWhoseManifestIsOnItsWayIsAnsweredOnceTheReleaseIsOffered() throws Exception {
        network.expect(d.manifest().digest());
        seed.dial(at.getHostString(), at.getPort());

        // The HELLO comes at once; the answer to the INTEREST waits for the manifest.
        awaitHello(seed);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> seed.received().stream().noneMatch(Bitfield.class::isInstance) && seed.farewells().isEmpty());

        try (ReleaseSwarm swarm = new ReleaseSwarm(network, ManifestFile.of(d.manifest()), null, null).start()) {
            // The seed's BITFIELD and UNCHOKE, sent while it waited, are handled now: the agent asks it
            // for every chunk, having no origin, and holds the release.
            await().atMost(Duration.ofSeconds(30)).until(swarm::isComplete);
        }
        assertThat(seed.received()).filteredOn(Bitfield.class::isInstance).singleElement()
                .satisfies(b -> assertThat(((Bitfield) b).count()).isEqualTo(d.manifest().distinctChunks().size()));
        assertThat(seed.blocksSent()).isPositive();
        assertThat(seed.farewells()).noneMatch(f -> f.reason() == Goodbye.Reason.UNKNOWN_RELEASE);
    }

    @Test
    void aPeerAskingAboutAReleaseWhoseManifestCouldNotBeHadHearsThatItIsUnknown() throws Exception {
        Digest release = d.manifest().digest();
        network.expect(release);
        seed.dial(at.getHostString(), at.getPort());
        awaitHello(seed);

        network.abandon(release);

        assertSaidGoodbye(seed, Goodbye.Reason.UNKNOWN_RELEASE, "the release asked about could not be fetched here");
        assertThat(seed.received()).noneMatch(Bitfield.class::isInstance);
    }

    @Test
    void aPeerAskingAboutAReleaseNeitherOfferedNorExpectedHearsAtOnceThatItIsUnknown() throws Exception {
        network.expect(Digest.sha256(new byte[] {1})); // another release
        seed.dial(at.getHostString(), at.getPort());

        assertSaidGoodbye(seed, Goodbye.Reason.UNKNOWN_RELEASE, "no release " + d.manifest().digest().shortHex() + " here");
    }

    static void awaitHello(FakePeer peer) {
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.received().stream().anyMatch(Hello.class::isInstance));
    }

    /** Waits for the one GOODBYE {@code peer} is sent, and checks what it says. */
    static void assertSaidGoodbye(FakePeer peer, Goodbye.Reason reason, String message) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !peer.farewells().isEmpty());
        assertThat(peer.farewells()).singleElement().satisfies(f -> {
            assertThat(f.reason()).isEqualTo(reason);
            assertThat(f.message()).contains(message);
        });
    }

    /** An agent's peer network on its own, with a certificate from the deployment's CA and an empty cache. */
    static PeerNetwork network(Deployment d) throws Exception {
        TlsFiles tls = TlsFiles.in(d.swarm().issue("agent-1"), "agent-1");
        PeerConfig config = PeerConfig.defaults(PeerId.random(new SecureRandom()), "default", tls, "127.0.0.1", 0);
        return new PeerNetwork(config, new ChunkStore(d.swarm().work().resolve("agent-1-cache")), null);
    }

    /** A fake peer with a certificate from the deployment's CA, serving the true bytes. */
    static FakePeer fake(Deployment d) throws Exception {
        return new FakePeer(TlsFiles.in(d.swarm().issue("seed"), "seed"), d.manifest(), FakePeer.Blocks.honest(d), Duration.ZERO);
    }
}
