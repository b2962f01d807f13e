package dev.caravan.agent.swarm;

import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.core.manifest.ManifestFile;
import dev.caravan.testkit.LeakCheck;
import dev.caravan.wire.Goodbye;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dialer that sends DATA nobody asked for while its INTEREST waits for the manifest breaks the
 * protocol (protocol.md §4, rule 4) whether the DATA is read while the INTEREST waits or after it
 * is answered: GOODBYE PROTOCOL_ERROR, and no buffer leaks ({@link LeakCheck}).
 */
@ExtendWith(LeakCheck.class)
class ReleaseExpectedDataTest {
    @RegisterExtension
    final WireFaults wireFaults = WireFaults.expectingProtocolErrors();

    @TempDir
    Path dir;

    @Test
    void dataFromADialerWhoseInterestWaitsForTheManifestIsAProtocolError() throws Exception {
        try (Deployment d = Deployment.start(dir, new SyntheticRelease(1 << 20, 2, 7), LocalSwarm.Options.defaults());
                PeerNetwork network = ReleaseExpectedTest.network(d);
                FakePeer peer = ReleaseExpectedTest.fake(d).dialingWithUnaskedData()) {
            InetSocketAddress at = network.start();
            network.expect(d.manifest().digest());
            peer.dial(at.getHostString(), at.getPort());
            ReleaseExpectedTest.awaitHello(peer);
            try (ReleaseSwarm swarm = new ReleaseSwarm(network, ManifestFile.of(d.manifest()), null, null).start()) {
                ReleaseExpectedTest.assertSaidGoodbye(peer, Goodbye.Reason.PROTOCOL_ERROR, "DATA");
            }
        }
    }
}
