package dev.caravan.tuf;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The metadata a client trusts during one update cycle, and the checks of the detailed client
 * workflow (tuf-spec 5.2 to 5.6) that decide whether new metadata replaces it. It does no I/O:
 * {@link TufClient} fetches and persists; every method here either accepts the bytes it is
 * given or throws a {@link TufException} and changes nothing.
 *
 * <p>Expiry is judged against the update's fixed start time (5.1), given once.
 */
final class TrustedMetadata {
    private final Instant now;
    private RootMetadata root;
    private TimestampMetadata timestamp;
    private SnapshotMetadata snapshot;
    private TargetsMetadata targets;
    private final Map<String, TargetsMetadata> delegated = new HashMap<>();

    /** 5.2: the trusted root, shipped out of band; it must still be signed by a threshold of its own root keys. */
    TrustedMetadata(Instant now, byte[] trustedRoot) throws TufException {
        this.now = now;
        Envelope env = Envelope.parse("root.json", trustedRoot);
        RootMetadata r = RootMetadata.parse("root.json", env.signed());
        r.verify(Role.ROOT, env);
        this.root = r;
    }

    RootMetadata root() {
        return root;
    }

    TimestampMetadata timestamp() {
        return timestamp;
    }

    SnapshotMetadata snapshot() {
        return snapshot;
    }

    TargetsMetadata targets() {
        return targets;
    }

    Map<String, TargetsMetadata> delegated() {
        return delegated;
    }

    /**
     * 5.3.4 to 5.3.7: root version N+1, signed by a threshold of the trusted root's keys and of
     * its own. Returns false (and keeps the trusted root) if the file holds the trusted version.
     */
    boolean updateRoot(String fileName, byte[] data) throws TufException {
        Envelope env = Envelope.parse(fileName, data);
        RootMetadata next = RootMetadata.parse(fileName, env.signed());
        root.verify(Role.ROOT, env);          // 5.3.4 (1): a threshold of the trusted (old) root keys
        next.verify(Role.ROOT, env);          // 5.3.4 (2): a threshold of the new root keys
        long expected = root.version() + 1;
        if (next.version() < root.version()) {  // 5.3.5
            throw new TufException.Rollback(fileName + " has version " + next.version()
                    + ", older than the trusted root version " + root.version() + " (rollback)");
        }
        if (next.version() == root.version()) {
            return false;
        }
        if (next.version() != expected) {
            throw new TufException.VersionMismatch(fileName + " has version " + next.version() + ", expected " + expected);
        }
        root = next;                          // 5.3.7; 5.3.6: its expiry is checked once the chain ends
        return true;
    }

    /** 5.3.10: the final root must not have expired. */
    void checkRootNotExpired() throws TufException {
        checkExpiry("root.json (version " + root.version() + ")", root.expires());
    }

    /** Loads the persisted timestamp as trusted if the current root's timestamp keys signed it; expiry does not matter. */
    void loadPersistedTimestamp(byte[] data) {
        try {
            Envelope env = Envelope.parse("timestamp.json", data);
            TimestampMetadata t = TimestampMetadata.parse("timestamp.json", env.signed());
            root.verify(Role.TIMESTAMP, env);
            timestamp = t;
        } catch (TufException e) {
            // not trustworthy any more (keys rotated, file damaged): as if absent
        }
    }

    /** Loads the persisted snapshot as trusted (for 5.5.5's rollback check) if the current root's snapshot keys signed it. */
    void loadPersistedSnapshot(byte[] data) {
        try {
            Envelope env = Envelope.parse("snapshot.json", data);
            SnapshotMetadata s = SnapshotMetadata.parse("snapshot.json", env.signed());
            root.verify(Role.SNAPSHOT, env);
            snapshot = s;
        } catch (TufException e) {
            // as if absent
        }
    }

    /**
     * 5.4.2 to 5.4.4. Returns true if the new timestamp is now trusted (persist it), false if it
     * has the trusted version: then the trusted one stays (5.4.3.1) and must not have expired.
     */
    boolean updateTimestamp(byte[] data) throws TufException {
        String f = "timestamp.json";
        Envelope env = Envelope.parse(f, data);
        TimestampMetadata t = TimestampMetadata.parse(f, env.signed());
        root.verify(Role.TIMESTAMP, env);    // 5.4.2
        if (timestamp != null) {             // 5.4.3
            if (t.version() < timestamp.version()) {
                throw new TufException.Rollback(f + " version " + t.version() + " is older than the trusted version "
                        + timestamp.version() + " (rollback)");
            }
            if (t.version() == timestamp.version()) {
                checkExpiry(f + " (version " + timestamp.version() + ")", timestamp.expires());
                return false;
            }
            if (t.snapshot().version() < timestamp.snapshot().version()) {
                throw new TufException.Rollback(f + " version " + t.version() + " lists snapshot.json version "
                        + t.snapshot().version() + ", older than the trusted " + timestamp.snapshot().version() + " (rollback)");
            }
        }
        checkExpiry(f + " (version " + t.version() + ")", t.expires());   // 5.4.4
        timestamp = t;
        return true;
    }

    /** 5.5.2 to 5.5.6 for the snapshot file {@code fileName} (e.g. {@code 7.snapshot.json}). */
    void updateSnapshot(String fileName, byte[] data) throws TufException {
        MetaFile expected = timestamp.snapshot();
        expected.check(fileName, "timestamp.json", data);            // 5.5.2
        Envelope env = Envelope.parse(fileName, data);
        SnapshotMetadata s = SnapshotMetadata.parse(fileName, env.signed());
        root.verify(Role.SNAPSHOT, env);                             // 5.5.3
        if (s.version() != expected.version()) {                     // 5.5.4
            throw new TufException.VersionMismatch(fileName + " has version " + s.version() + " but timestamp.json lists version "
                    + expected.version() + " (mix-and-match)");
        }
        if (snapshot != null) {                                      // 5.5.5
            for (Map.Entry<String, MetaFile> old : snapshot.meta().entrySet()) {
                MetaFile now = s.meta().get(old.getKey());
                if (now == null) {
                    throw new TufException.Rollback(fileName + " no longer lists " + old.getKey()
                            + ", which the trusted snapshot version " + snapshot.version() + " listed (rollback)");
                }
                if (now.version() < old.getValue().version()) {
                    throw new TufException.Rollback(fileName + " lists " + old.getKey() + " version " + now.version()
                            + ", older than the trusted version " + old.getValue().version() + " (rollback)");
                }
            }
        }
        checkExpiry(fileName, s.expires());                          // 5.5.6
        snapshot = s;
        targets = null;
        delegated.clear();
    }

    /** What the trusted snapshot lists for the metadata of targets role {@code roleName}. */
    MetaFile snapshotMeta(String roleName) throws TufException {
        MetaFile m = snapshot.meta().get(roleName + ".json");
        if (m == null) {
            throw new TufException.TargetNotFound("snapshot.json (version " + snapshot.version() + ") does not list "
                    + roleName + ".json");
        }
        return m;
    }

    /**
     * 5.6.2 to 5.6.5 for targets role {@code roleName} (top-level {@code targets} or a delegated
     * role), whose keys and threshold come from {@code keys} and {@code roleKeys}: the root's
     * for the top-level role, the delegating role's for a delegated one (5.6.7).
     */
    TargetsMetadata updateTargets(String roleName, String fileName, byte[] data, Map<String, Key> keys, RoleKeys roleKeys)
            throws TufException {
        MetaFile expected = snapshotMeta(roleName);
        expected.check(fileName, "snapshot.json", data);             // 5.6.2
        Envelope env = Envelope.parse(fileName, data);
        TargetsMetadata t = TargetsMetadata.parse(fileName, env.signed());
        env.verify(roleName, keys, roleKeys);                        // 5.6.3
        if (t.version() != expected.version()) {                     // 5.6.4
            throw new TufException.VersionMismatch(fileName + " has version " + t.version() + " but snapshot.json lists version "
                    + expected.version() + " (mix-and-match)");
        }
        checkExpiry(fileName, t.expires());                          // 5.6.5
        if (roleName.equals("targets")) {
            targets = t;
        } else {
            delegated.put(roleName, t);
        }
        return t;
    }

    private void checkExpiry(String what, Instant expires) throws TufException.Expired {
        if (!expires.isAfter(now)) {
            throw new TufException.Expired(what + " expired at " + MetadataBuilder.expires(expires)
                    + ", before the update started at " + MetadataBuilder.expires(now) + " (freeze attack?)");
        }
    }
}
