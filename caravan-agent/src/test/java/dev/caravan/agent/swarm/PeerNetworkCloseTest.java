package dev.caravan.agent.swarm;

import static org.awaitility.Awaitility.await;

import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.testkit.LeakCheck;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.tls.CertificateAuthority;
import dev.caravan.wire.tls.Revocations;
import dev.caravan.wire.tls.Role;
import dev.caravan.wire.tls.TlsFiles;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A closed {@link PeerNetwork} leaves nothing behind that keeps it, and its served-chunk cache, in memory. */
@ExtendWith(LeakCheck.class)
class PeerNetworkCloseTest {
    @TempDir
    Path dir;

    /**
     * The agent shares its revocations with its tracker client, and BoringSSL holds every TLS
     * context's trust manager (which holds the revocations) from native memory until the context's
     * finalizer runs: a closed network that stayed among the revocations' listeners kept its own
     * contexts reachable, and so stayed in memory for good. An in-process test run kept every agent
     * it had closed and ran out of heap.
     */
    @Test
    void aClosedNetworkIsNotKeptByTheRevocationsItShared() throws Exception {
        CertificateAuthority.init(dir.resolve("ca"));
        CertificateAuthority.issue(dir.resolve("ca"), "pc1", Role.AGENT, dir.resolve("certs"), CertificateAuthority.DEFAULT_VALIDITY);
        TlsFiles tls = TlsFiles.in(dir.resolve("certs"), "pc1");
        Revocations revocations = new Revocations(tls.readCa()); // outlives the network, as the agent's does

        WeakReference<PeerNetwork> closed = startAndClose(tls, revocations);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            System.gc();
            return closed.get() == null;
        });
        Reference.reachabilityFence(revocations); // still in use, as the agent's would be
    }

    private WeakReference<PeerNetwork> startAndClose(TlsFiles tls, Revocations revocations) throws Exception {
        PeerConfig config = PeerConfig.defaults(PeerId.random(new SecureRandom()), "default", tls, "127.0.0.1", 0);
        PeerNetwork network = new PeerNetwork(config, new ChunkStore(dir.resolve("cache")), null, revocations);
        network.start();
        network.close();
        return new WeakReference<>(network);
    }
}
