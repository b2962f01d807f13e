package dev.caravan.tracker;

import dev.caravan.core.Digest;
import dev.caravan.wire.Hello;
import dev.caravan.wire.PeerId;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What an agent tells the tracker: who it is, where peers reach it, its group, and how much of
 * each release it is in. The body of {@code POST /v1/announce}.
 *
 * @param peerId the agent's peer id
 * @param address where it accepts peers; a {@linkplain PeerAddress#wildcard wildcard} host lets
 *     the tracker use the address it sees the agent from
 * @param group the agent's group, as {@link Hello#requireGroup} allows
 * @param releases the releases it holds or is fetching, each once (ignored with
 *     {@link AnnounceEvent#STOPPED})
 * @param event why it announces
 */
public record AnnounceRequest(PeerId peerId, PeerAddress address, String group, List<ReleaseProgress> releases,
        AnnounceEvent event) {
    public AnnounceRequest {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(address, "address");
        Hello.requireGroup(group);
        releases = List.copyOf(releases);
        Set<Digest> seen = new HashSet<>();
        for (ReleaseProgress r : releases) {
            if (!seen.add(r.manifest())) {
                throw new IllegalArgumentException("release " + r.manifest().shortHex() + " is listed twice");
            }
        }
        Objects.requireNonNull(event, "event");
    }
}
