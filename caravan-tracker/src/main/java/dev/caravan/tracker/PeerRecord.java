package dev.caravan.tracker;

import dev.caravan.core.Digest;
import dev.caravan.wire.Hello;
import dev.caravan.wire.PeerId;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the tracker knows of one agent: the last announce it accepted from it, with the address
 * already resolved and the name on the certificate it announced with.
 *
 * @param peerId the agent's peer id, the store's key
 * @param address where peers reach it (never a wildcard)
 * @param group its group
 * @param certificateName the CN of the TLS certificate it announced with: only that certificate
 *     may update or remove this peer, and revoking it drops the peer
 * @param releases what it holds, by manifest digest
 */
public record PeerRecord(PeerId peerId, PeerAddress address, String group, String certificateName,
        Map<Digest, ReleaseProgress> releases) {
    public PeerRecord {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(address, "address");
        Hello.requireGroup(group);
        Objects.requireNonNull(certificateName, "certificateName");
        releases = Map.copyOf(releases);
        releases.forEach((manifest, progress) -> {
            if (!manifest.equals(progress.manifest())) {
                throw new IllegalArgumentException("release key " + manifest.shortHex() + " holds the progress of "
                        + progress.manifest().shortHex());
            }
        });
    }

    /** A record whose releases are {@code progress}, keyed by their manifests. */
    public static PeerRecord of(PeerId peerId, PeerAddress address, String group, String certificateName,
            Collection<ReleaseProgress> progress) {
        Map<Digest, ReleaseProgress> byManifest = new HashMap<>();
        for (ReleaseProgress p : progress) {
            if (byManifest.put(p.manifest(), p) != null) {
                throw new IllegalArgumentException("release " + p.manifest().shortHex() + " is listed twice");
            }
        }
        return new PeerRecord(peerId, address, group, certificateName, byManifest);
    }

    /** Whether this peer holds the whole of {@code manifest}. */
    public boolean isComplete(Digest manifest) {
        ReleaseProgress p = releases.get(manifest);
        return p != null && p.complete();
    }

    /** This peer as an entry of {@code manifest}'s peer list. */
    SwarmPeer toSwarmPeer(Digest manifest) {
        return new SwarmPeer(peerId, address, group, isComplete(manifest));
    }
}
