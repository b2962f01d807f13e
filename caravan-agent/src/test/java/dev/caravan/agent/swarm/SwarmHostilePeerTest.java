package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.testkit.LeakCheck;
import dev.caravan.scheduler.SchedulerConfig;
import dev.caravan.wire.Bitfield;
import dev.caravan.wire.Fetching;
import dev.caravan.wire.Goodbye;
import dev.caravan.wire.Have;
import dev.caravan.wire.Hello;
import dev.caravan.wire.Message;
import dev.caravan.wire.Reject;
import dev.caravan.wire.Request;
import dev.caravan.wire.Unchoke;
import dev.caravan.wire.tls.TlsFiles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One hostile peer against two honest agents, one attack per test (docs/security.md, "Malicious
 * peers"). In each, the victim keeps serving the honest agent, both install the true bytes, and the
 * offender is cut off: it is told why (GOODBYE) or its connection is closed, and the victim counts
 * it ({@link Agent#peersCutOff()}). Real agents, real TLS, real sockets; the offender is a
 * {@link FakePeer} with an enrolled certificate, so only the agents' limits stand in its way.
 */
@ExtendWith(LeakCheck.class)
class SwarmHostilePeerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** About 24 chunks, fetched over several seconds: the origin is slow, so the two agents need each other. */
    private static final SyntheticRelease RELEASE = new SyntheticRelease(24 << 20, 30, 7);
    private static final LocalSwarm.Options SLOW_ORIGIN = LocalSwarm.Options.defaults().withRates(4 << 20, 0, 0);

    @RegisterExtension
    final WireFaults wireFaults = WireFaults.expectingProtocolErrors();

    @TempDir
    Path dir;

    @Test
    void garbageAfterTheHandshakeClosesTheConnectionWithOneLoggedReason() throws Exception {
        try (Deployment d = Deployment.start(dir, RELEASE, SLOW_ORIGIN);
                FakePeer offender = new FakePeer(certificate(d, "garbage"), d.manifest(), null)) {
            Agent victim = startWithRelease(d, "victim");
            Agent honest = d.swarm().startAgent("honest");
            Channel connection = handshaken(offender, victim);
            ByteBuf garbage = Unpooled.buffer();
            Random random = new Random(1);
            for (int i = 0; i < 100; i++) { // a hundred frames of an unknown type, each with a plausible length
                byte[] payload = new byte[31];
                random.nextBytes(payload);
                garbage.writeInt(32).writeByte(0x42).writeBytes(payload);
            }
            connection.writeAndFlush(garbage);

            assertClosed(connection);
            assertThat(offender.farewells()).as("what the offender was told")
                    .extracting(FakePeer.Farewell::reason).containsExactly(Goodbye.Reason.PROTOCOL_ERROR);
            assertThat(linesAbout(connection)).as("lines logged about the offender's connection")
                    .singleElement().asString().contains("protocol error", "unknown message type");
            assertHonestPairInstalls(d, victim, honest);
        }
    }

    @Test
    void aFrameDeclaringFourGibibytesIsRefusedOnItsHeaderAndTheConnectionClosed() throws Exception {
        try (Deployment d = Deployment.start(dir, RELEASE, SLOW_ORIGIN);
                FakePeer offender = new FakePeer(certificate(d, "huge"), d.manifest(), null)) {
            Agent victim = startWithRelease(d, "victim");
            Agent honest = d.swarm().startAgent("honest");
            Channel connection = handshaken(offender, victim);

            // the header of a 4 GiB DATA frame and the start of its payload; the rest never comes
            connection.writeAndFlush(Unpooled.buffer().writeInt(0xFFFFFFFF).writeByte(0x06).writeZero(4096));

            assertClosed(connection);
            assertThat(offender.farewells()).as("what the offender was told").singleElement()
                    .satisfies(f -> assertThat(f.reason()).isEqualTo(Goodbye.Reason.PROTOCOL_ERROR))
                    .satisfies(f -> assertThat(f.message()).contains("frame of 4294967295 bytes exceeds the limit of 1048576"));
            assertHonestPairInstalls(d, victim, honest);
        }
    }

    @Test
    void aPeerThatClaimsEveryChunkAndServesNoneIsBannedAfterTheLimit() throws Exception {
        try (Deployment d = Deployment.start(dir, RELEASE, SLOW_ORIGIN)) {
            TlsFiles cert = certificate(d, "claimer");
            try (FakePeer claimer = new FakePeer(cert, d.manifest(), FakePeer.Answer.reject(Reject.Reason.NOT_HELD))) {
                claimer.seed(d, cert);
                Agent victim = d.swarm().startAgent("victim");
                Agent honest = d.swarm().startAgent("honest");

                assertHonestPairInstalls(d, victim, honest);

                assertThat(claimer.peersSaying(Goodbye.Reason.BANNED)).as("agents that banned the claimer")
                        .contains(victim.settings().peer().peerId());
                assertThat(claimer.farewells()).as("what the claimer was told").filteredOn(f -> f.reason() == Goodbye.Reason.BANNED)
                        .allSatisfy(f -> assertThat(f.message()).contains("refused 8 chunks it claimed to hold"));
            }
        }
    }

    @Test
    void aPeerDrippingItsDataBelowTheMinimumRateIsCutOffAsTooSlow() throws Exception {
        LocalSwarm.Options quickJudge = SLOW_ORIGIN.withLimits(PeerLimits.DEFAULT.withMinTransfer(8 << 10, Duration.ofSeconds(3)));
        try (Deployment d = Deployment.start(dir, RELEASE, quickJudge)) {
            TlsFiles cert = certificate(d, "dripper");
            try (FakePeer dripper = new FakePeer(cert, d.manifest(),
                    FakePeer.Answer.drip(FakePeer.Blocks.honest(d), Duration.ofMillis(100)))) {
                dripper.seed(d, cert);
                Agent victim = d.swarm().startAgent("victim");
                Agent honest = d.swarm().startAgent("honest");

                await().atMost(WAIT).until(() -> dripper.peersSaying(Goodbye.Reason.TOO_SLOW)
                        .contains(victim.settings().peer().peerId()));
                assertHonestPairInstalls(d, victim, honest);
                assertThat(dripper.farewells()).as("what the dripper was told")
                        .filteredOn(f -> f.reason() == Goodbye.Reason.TOO_SLOW)
                        .allSatisfy(f -> assertThat(f.message()).contains("while our requests waited; the minimum is 8192"));
            }
        }
    }

    // ---- FETCHING (protocol version 2)

    @Test
    void aVersion2PeerIsToldWhatComesFromTheOriginAndAVersion1PeerIsNot() throws Exception {
        // Peers that hold nothing and fetch nothing own chunks too: a short fallback delay lets the
        // agent fetch those from the origin as well.
        LocalSwarm.Options shortFallback = SLOW_ORIGIN.withScheduler(
                SchedulerConfig.DEFAULT.withOrigin(Duration.ofSeconds(2), Duration.ofSeconds(1), 4));
        try (Deployment d = Deployment.start(dir, RELEASE, shortFallback);
                FakePeer current = new FakePeer(certificate(d, "current"), d.manifest(), (FakePeer.Answer) null);
                FakePeer old = new FakePeer(certificate(d, "old"), d.manifest(), (FakePeer.Answer) null).speaking(1)) {
            Agent agent = startWithRelease(d, "fetcher");
            handshaken(current, agent);
            handshaken(old, agent);

            Fleet.awaitInstalls(List.of(agent));

            // The last HAVEs may still be on their way to the fake peers.
            await().atMost(WAIT).untilAsserted(() -> {
                List<Message> toCurrent = current.received();
                List<Integer> announced = toCurrent.stream().filter(m -> m instanceof Fetching)
                        .map(m -> ((Fetching) m).chunk()).toList();
                assertThat(announced).as("chunks the agent said it was fetching from the origin").isNotEmpty()
                        .doesNotHaveDuplicates();
                for (int chunk : announced) {
                    int said = toCurrent.indexOf(new Fetching(chunk));
                    assertThat(toCurrent.subList(said, toCurrent.size())).as("after FETCHING %d", chunk)
                            .contains(new Have(chunk));
                }
            });
            await().atMost(WAIT).untilAsserted(() -> assertThat(old.received()).as("what a version 1 peer was sent")
                    .hasAtLeastOneElementOfType(Have.class));
            assertThat(old.received()).as("what a version 1 peer was sent").noneMatch(m -> m instanceof Fetching);
        }
    }

    @Test
    void fetchingOnAVersion1ConnectionIsAProtocolError() throws Exception {
        assertFetchingIsAProtocolError(1, 1, "FETCHING on a connection of protocol version 1");
    }

    @Test
    void fetchingMoreThanSixteenChunksWithoutHaveIsAProtocolError() throws Exception {
        assertFetchingIsAProtocolError(Hello.PROTOCOL_VERSION, Fetching.MAX_OUTSTANDING + 1,
                "FETCHING for more than 16 chunks without HAVE");
    }

    /**
     * A peer offering protocol {@code version} sends FETCHING for chunks 0 to {@code count} - 1; the
     * agent must close the connection with GOODBYE {@code PROTOCOL_ERROR} saying {@code reason}.
     */
    private void assertFetchingIsAProtocolError(int version, int count, String reason) throws Exception {
        try (Deployment d = Deployment.start(dir, RELEASE, SLOW_ORIGIN);
                FakePeer offender = new FakePeer(certificate(d, "offender"), d.manifest(), (FakePeer.Answer) null)
                        .speaking(version)) {
            assertThat(d.manifest().distinctChunks()).hasSizeGreaterThanOrEqualTo(count);
            Agent agent = startWithRelease(d, "victim");
            Channel connection = handshaken(offender, agent);

            for (int chunk = 0; chunk < count; chunk++) {
                connection.write(new Fetching(chunk));
            }
            connection.flush();

            assertClosed(connection);
            assertThat(offender.farewells()).as("what the offender was told").anySatisfy(f -> {
                assertThat(f.reason()).isEqualTo(Goodbye.Reason.PROTOCOL_ERROR);
                assertThat(f.message()).contains(reason);
            });
        }
    }

    @Test
    void aPeerFloodingRequestsAndReadingNothingIsClosedBeforeTheRejectsPileUp() throws Exception {
        try (Deployment d = Deployment.start(dir, RELEASE, SLOW_ORIGIN);
                FakePeer flooder = new FakePeer(certificate(d, "flooder"), d.manifest(), null)) {
            Agent victim = startWithRelease(d, "victim");
            Agent honest = d.swarm().startAgent("honest");
            Channel connection = handshaken(flooder, victim);
            connection.config().setAutoRead(false);
            for (int i = 0; i < 5000; i++) {
                connection.write(new Request(0, 0, 16 << 10));
            }
            connection.flush();

            await().atMost(WAIT).until(() -> !linesAbout(connection).isEmpty());
            connection.config().setAutoRead(true); // it reads at last, and finds the connection closed
            assertClosed(connection);
            assertThat(linesAbout(connection)).as("lines logged about the flooder's connection")
                    .singleElement().asString().contains("protocol error", "flooding: 129 requests refused");
            assertHonestPairInstalls(d, victim, honest);
        }
    }

    @Test
    void hundredsOfConnectionsFromOneAddressKeepAtMostTheLimitOpenAndHonestPeersStillConnect() throws Exception {
        try (Deployment d = Deployment.start(dir, RELEASE, SLOW_ORIGIN);
                FakePeer opener = new FakePeer(certificate(d, "opener"), d.manifest(), null).freshIdPerConnection()) {
            Agent victim = startWithRelease(d, "victim");
            List<Channel> connections = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                connections.add(opener.dial(victim));
            }
            await().atMost(WAIT).until(() -> victim.peersCutOff() >= 200 - PeerLimits.DEFAULT.maxConnectionsPerAddress());
            Agent honest = d.swarm().startAgent("honest");

            assertHonestPairInstalls(d, victim, honest);
            assertThat(connections.stream().filter(Channel::isActive).count()).as("the opener's connections still open")
                    .isLessThanOrEqualTo(PeerLimits.DEFAULT.maxConnectionsPerAddress());
        }
    }

    @Test
    void aPeerThatLeavesOurDataUnreadIsCutOffAsTooSlowAndFreesItsSlot() throws Exception {
        LocalSwarm.Options quickJudge = SLOW_ORIGIN.withLimits(PeerLimits.DEFAULT.withMinTransfer(8 << 10, Duration.ofSeconds(3)));
        try (Deployment d = Deployment.start(dir, RELEASE, quickJudge);
                FakePeer sloth = new FakePeer(certificate(d, "sloth"), d.manifest(), null)) {
            Agent victim = d.swarm().startAgent("victim");
            Fleet.awaitInstalls(List.of(victim));
            Channel connection = sloth.dial(victim);
            await().atMost(WAIT).until(() -> sloth.received().stream().anyMatch(m -> m instanceof Unchoke));
            connection.config().setAutoRead(false);
            int chunks = d.manifest().distinctChunks().size();
            for (int i = 0; i < PeerConfig.DEFAULT_MAX_REQUESTS_PER_PEER; i++) { // within the limit: no flood
                connection.write(new Request(i % chunks, 0, 64 << 10));
            }
            connection.flush();
            Agent honest = d.swarm().startAgent("honest");

            await().atMost(WAIT).until(() -> victim.peersCutOff() >= 1);
            Fleet.awaitInstalls(List.of(honest));
            Fleet.assertInstalled(List.of(victim, honest), d.source());
            assertThat(honest.status().bytesFromPeers()).as("bytes the honest agent got from the victim").isPositive();
            connection.config().setAutoRead(true); // it reads at last, and finds the connection closed
            assertClosed(connection);
        }
    }

    // ---- helpers

    private static TlsFiles certificate(Deployment d, String name) throws IOException {
        return TlsFiles.in(d.swarm().issue(name), name);
    }

    /** Starts an agent and waits until it offers the release, so that a peer dialing it is answered. */
    private static Agent startWithRelease(Deployment d, String name) throws IOException {
        Agent agent = d.swarm().startAgent(name);
        await().atMost(WAIT).until(() -> agent.status().release() != null);
        return agent;
    }

    /** Dials the agent and waits for its BITFIELD: the handshake is done and the connection ready. */
    private static Channel handshaken(FakePeer peer, Agent agent) throws Exception {
        Channel connection = peer.dial(agent);
        await().atMost(WAIT).until(() -> peer.received().stream().anyMatch(m -> m instanceof Bitfield));
        return connection;
    }

    private static void assertClosed(Channel connection) throws InterruptedException {
        assertThat(connection.closeFuture().await(WAIT.toMillis())).as("the agent closed the offender's connection").isTrue();
    }

    /** The lines the error handler logged about the connection whose local end is {@code connection}'s. */
    private List<String> linesAbout(Channel connection) {
        String peer = "peer " + connection.localAddress() + ":";
        return wireFaults.lines().stream().filter(l -> l.startsWith(peer)).toList();
    }

    /**
     * Both agents installed the true bytes, each got some from the other (the victim went on
     * serving), and the victim counted the offender it cut off.
     */
    private static void assertHonestPairInstalls(Deployment d, Agent victim, Agent honest) throws Exception {
        Fleet.awaitInstalls(List.of(victim, honest));
        Fleet.assertInstalled(List.of(victim, honest), d.source());
        assertThat(honest.status().bytesFromPeers()).as("bytes the honest agent got from peers").isPositive();
        assertThat(victim.status().bytesUploaded()).as("bytes the victim served").isPositive();
        assertThat(victim.peersCutOff()).as("peers the victim cut off").isPositive();
    }
}
