package dev.caravan.tracker;

import dev.caravan.wire.Hello;
import dev.caravan.wire.PeerId;
import java.util.Objects;

/**
 * One entry of a peer list the tracker hands out: a peer to dial for a release.
 *
 * @param peerId the peer's id, which its HELLO must repeat
 * @param address where it accepts connections
 * @param group its group
 * @param complete whether it holds the whole release (a seeder)
 */
public record SwarmPeer(PeerId peerId, PeerAddress address, String group, boolean complete) {
    public SwarmPeer {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(address, "address");
        Hello.requireGroup(group);
    }
}
