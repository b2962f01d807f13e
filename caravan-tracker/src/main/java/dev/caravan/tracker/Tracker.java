package dev.caravan.tracker;

import dev.caravan.core.Digest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the tracker does with an announce, without any I/O: record it in the store, then pick a
 * peer list per release with the hand-out policy. The HTTP handler calls it with what TLS told it
 * (the certificate's name, the remote address).
 */
final class Tracker {
    private final PeerStore store;
    private final PeerHandoutPolicy policy;
    private final Clock clock;
    private final Duration interval;
    private final int maxPeers;
    /** The serial each certificate name last called with, to forget its peers when that serial is revoked. */
    private final Map<String, java.math.BigInteger> serials = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.LongAdder announces = new java.util.concurrent.atomic.LongAdder();

    Tracker(PeerStore store, TrackerConfig config) {
        this.store = store;
        this.policy = config.handoutPolicy();
        this.clock = config.clock();
        this.interval = config.announceInterval();
        this.maxPeers = config.maxPeersPerAnswer();
    }

    /** Announces received since the start, refused ones included. */
    long announces() {
        return announces.sum();
    }

    /** Notes the serial {@code certificateName} called with. */
    void calledWith(String certificateName, java.math.BigInteger serial) {
        serials.put(certificateName, serial);
    }

    /** Forgets the peers of every certificate name whose last serial is now revoked; how many peers. */
    int forgetRevoked(dev.caravan.wire.tls.Revocations revocations) {
        int gone = 0;
        for (var e : serials.entrySet()) {
            if (revocations.isRevoked(e.getValue())) {
                gone += store.removeCertificate(e.getKey());
                serials.remove(e.getKey(), e.getValue());
            }
        }
        return gone;
    }

    /**
     * Records the announce and answers it.
     *
     * @param certificateName the CN of the announcer's TLS certificate
     * @param remoteHost the address the connection comes from, used when the announce names a
     *     wildcard host
     * @throws PeerIdTakenException if a live peer with this id belongs to another certificate
     */
    AnnounceResponse announce(AnnounceRequest request, String certificateName, String remoteHost) throws PeerIdTakenException {
        announces.increment();
        Instant now = clock.instant();
        if (request.event() == AnnounceEvent.STOPPED) {
            var owner = store.find(request.peerId(), now);
            if (owner.isPresent() && !owner.get().certificateName().equals(certificateName)) {
                throw new PeerIdTakenException(request.peerId().toString());
            }
            store.remove(request.peerId());
            return new AnnounceResponse(interval, Map.of());
        }
        PeerAddress address = request.address().isWildcard()
                ? new PeerAddress(remoteHost, request.address().port()) : request.address();
        PeerRecord me = PeerRecord.of(request.peerId(), address, request.group(), certificateName, request.releases());
        if (!store.announce(me, now)) {
            throw new PeerIdTakenException(request.peerId().toString());
        }
        Map<Digest, List<SwarmPeer>> lists = new LinkedHashMap<>();
        for (ReleaseProgress release : request.releases()) {
            Digest manifest = release.manifest();
            List<PeerRecord> picked = policy.select(me, manifest, store.peers(manifest, now), maxPeers);
            List<SwarmPeer> list = new ArrayList<>(picked.size());
            for (PeerRecord p : picked) {
                list.add(p.toSwarmPeer(manifest));
            }
            lists.put(manifest, list);
        }
        return new AnnounceResponse(interval, lists);
    }

    /** The live peers held (expiring the rest first). */
    int livePeers() {
        store.expire(clock.instant());
        return store.count();
    }

    List<SwarmSummary> swarms() {
        return store.swarms(clock.instant());
    }

    /** Forgets the peers whose time-to-live ran out; how many. */
    int expire() {
        return store.expire(clock.instant());
    }

    /** A live peer id announced under another certificate: refused with 403. */
    static final class PeerIdTakenException extends Exception {
        private static final long serialVersionUID = 1L;

        PeerIdTakenException(String peerId) {
            super("peer id " + peerId + " is announced under another certificate");
        }
    }
}
