package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.testkit.LeakCheck;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A whole deployment on loopback — origin, tracker, eight agents over mutual TLS — delivers one release. */
@ExtendWith({LeakCheck.class, WireFaults.class})
class SwarmDeliveryTest {
    private static final Logger log = LoggerFactory.getLogger(SwarmDeliveryTest.class);
    private static final int RELEASE_BYTES = 64 << 20;
    /** A quarter of the release a second: sending it to each of eight agents would take 32 s. */
    private static final long ORIGIN_BYTES_PER_SECOND = RELEASE_BYTES / 4;

    @TempDir
    Path dir;

    @Test
    void eightAgentsInstallTheReleaseByteForByteWithPeersDeliveringMoreThanTheOrigin() throws Exception {
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(RELEASE_BYTES, 120, 11),
                LocalSwarm.Options.defaults().withRates(ORIGIN_BYTES_PER_SECOND, 0, 0))) {
            List<Agent> agents = Fleet.start(d.swarm(), "agent-", 8);

            Fleet.awaitInstalls(agents);

            Fleet.assertInstalled(agents, d.source());
            long fromPeers = Fleet.bytesFromPeers(agents);
            long fromOrigin = d.swarm().origin().bytesSent();
            log.info("8 agents, {} bytes each: {} bytes from peers, origin sent {}", RELEASE_BYTES, fromPeers, fromOrigin);
            // Without peers the origin would send 8 copies and peers nothing; a swarm that works has
            // the origin send a copy or two and peers the rest.
            assertThat(fromPeers).as("bytes from peers against the origin's %d", fromOrigin).isGreaterThan(fromOrigin);
        }
    }
}
