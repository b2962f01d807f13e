package dev.caravan.tracker;

import dev.caravan.core.Digest;
import dev.caravan.wire.PeerId;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Peer ids, manifests and records for tests, derived from small numbers so that failures read well. */
final class TestPeers {
    private TestPeers() {
    }

    static PeerId peerId(int n) {
        byte[] b = new byte[PeerId.DEFAULT_BYTES];
        b[12] = (byte) (n >>> 24);
        b[13] = (byte) (n >>> 16);
        b[14] = (byte) (n >>> 8);
        b[15] = (byte) n;
        b[0] = 0x70;
        return new PeerId(b);
    }

    static Digest manifest(String name) {
        return Digest.sha256(name.getBytes(StandardCharsets.UTF_8));
    }

    static PeerRecord record(int n, String group, Digest manifest, boolean complete) {
        return PeerRecord.of(peerId(n), new PeerAddress("10.0.0." + (n % 250 + 1), 7000 + n % 1000), group, "agent-" + n,
                List.of(complete ? ReleaseProgress.complete(manifest, 10) : new ReleaseProgress(manifest, 3, 10, false)));
    }
}
