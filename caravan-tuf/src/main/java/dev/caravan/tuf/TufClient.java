package dev.caravan.tuf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TUF 1.0 client: keeps a folder of trusted metadata up to date from a repository by the
 * spec's detailed client workflow (tuf-spec 5.1 to 5.7) and downloads target files that it has
 * verified against that metadata.
 *
 * <p>Use: {@link #init} once with a root obtained out of band, then {@link #refresh()} before
 * {@link #getTargetInfo}, {@link #targets()} and {@link #downloadTarget}. Not thread-safe.
 *
 * <p>Implementation notes: the checks live in {@link TrustedMetadata} (no I/O); this class
 * fetches, within a size cap per file ({@link TufClientConfig}), and persists exactly the bytes
 * it accepted. When the repository's timestamp has the version already trusted, 5.4.3.1 says
 * to discard it and stop; this client then keeps the trusted snapshot and targets (from its
 * folder, re-verified, or fetched again) so that targets can still be looked up, as
 * python-tuf does. A locally stored snapshot or targets file that still matches what its
 * referrer lists is reused instead of downloaded again.
 */
public final class TufClient {
    private static final Logger log = LoggerFactory.getLogger(TufClient.class);

    private final MetadataStore store;
    private final RemoteFetcher fetcher;
    private final String metadataBaseUrl;
    private final Clock clock;
    private final TufClientConfig config;
    private TrustedMetadata trusted;

    /**
     * @param metadataDir     the folder of trusted metadata ({@link #init} puts the first root there)
     * @param metadataBaseUrl where the repository's metadata files are, e.g. {@code https://origin/metadata}
     * @param clock           judges expiry; read once at the start of each refresh (5.1)
     */
    public TufClient(Path metadataDir, RemoteFetcher fetcher, String metadataBaseUrl, Clock clock, TufClientConfig config) {
        this.store = new MetadataStore(Objects.requireNonNull(metadataDir, "metadataDir"));
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.metadataBaseUrl = stripSlash(Objects.requireNonNull(metadataBaseUrl, "metadataBaseUrl"));
        this.clock = Objects.requireNonNull(clock, "clock");
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Whether {@code metadataDir} already holds a trusted root. */
    public static boolean isInitialized(Path metadataDir) {
        return Files.isRegularFile(new MetadataStore(metadataDir).file("root"));
    }

    /**
     * Trusts {@code rootJson}, a root obtained out of band (5.2), after checking that it is
     * well-formed and signed by a threshold of its own root keys; its expiry does not matter.
     * Refuses a folder that already trusts a root, so that a newer trusted root (and the
     * rollback protection of the metadata beside it) is never replaced by an older one.
     */
    public static void init(Path metadataDir, byte[] rootJson) throws TufException, IOException {
        new TrustedMetadata(Instant.EPOCH, rootJson);
        if (isInitialized(metadataDir)) {
            throw new TufException("metadata folder " + metadataDir + " already trusts a root; remove it to trust another");
        }
        Files.createDirectories(metadataDir);
        new MetadataStore(metadataDir).write("root", rootJson);
    }

    /**
     * Updates the trusted metadata: 5.1 fix the time, 5.2 load the trusted root, 5.3 walk the
     * root versions, 5.4 timestamp, 5.5 snapshot, 5.6.1 to 5.6.6 top-level targets.
     *
     * @throws TufException naming the file and what was wrong with it; the metadata folder
     *     then keeps whatever was verified before the failure, so a later refresh can recover
     */
    public void refresh() throws TufException, IOException {
        trusted = null;
        Instant now = clock.instant();                                   // 5.1
        byte[] rootBytes = store.read("root");
        if (rootBytes == null) {
            throw new TufException("metadata folder " + store.dir() + " has no root.json: initialize it with a trusted root first");
        }
        TrustedMetadata t = new TrustedMetadata(now, rootBytes);         // 5.2
        RootMetadata initialRoot = t.root();
        updateRoot(t);                                                   // 5.3.1 to 5.3.9
        t.checkRootNotExpired();                                         // 5.3.10
        if (!initialRoot.sameKeys(Role.TIMESTAMP, t.root()) || !initialRoot.sameKeys(Role.SNAPSHOT, t.root())) {
            store.delete("timestamp");                                   // 5.3.11: fast-forward attack recovery
            store.delete("snapshot");
        }
        loadPersisted(t);
        updateTimestamp(t);                                              // 5.4
        updateSnapshot(t);                                               // 5.5
        loadTargets(t, "targets", t.root().keys(), t.root().role(Role.TARGETS));   // 5.6.1 to 5.6.6
        trusted = t;
        log.debug("refreshed {}: root v{}, timestamp v{}, snapshot v{}, targets v{}", metadataBaseUrl, t.root().version(),
                t.timestamp().version(), t.snapshot().version(), t.targets().version());
    }

    /** The targets the top-level targets role lists, sorted by name (delegated roles not included). */
    public List<TargetInfo> targets() {
        return requireRefreshed().targets().targets().values().stream()
                .sorted(Comparator.comparing(TargetInfo::name)).toList();
    }

    /** The trusted root's version. */
    public long rootVersion() {
        return requireRefreshed().root().version();
    }

    /**
     * The trusted description of target {@code name}, found by the pre-order depth-first search
     * of delegations (5.6.7), loading delegated roles as needed.
     *
     * @throws TufException.TargetNotFound if no role trusted for the name describes it (5.7.2)
     */
    public TargetInfo getTargetInfo(String name) throws TufException {
        TrustedMetadata t = requireRefreshed();
        TargetInfo found = DelegationSearch.find(name, t.targets(),
                (role, keys, roleKeys) -> loadTargets(t, role, keys, roleKeys), config.maxDelegations());
        if (found == null) {
            throw new TufException.TargetNotFound("no trusted targets metadata describes the target " + name);
        }
        return found;
    }

    /**
     * Downloads target {@code target} from {@code targetBaseUrl} (at
     * {@code <base>/<hash>.<name>} with consistent snapshots, else {@code <base>/<name>}),
     * reading at most its listed length, and returns its bytes once its length and every listed
     * sha256/sha512 hash check out (5.7.3).
     */
    public byte[] downloadTarget(TargetInfo target, String targetBaseUrl) throws TufException {
        TrustedMetadata t = requireRefreshed();
        String hash = target.hashes().containsKey("sha256") ? target.hashes().get("sha256") : target.hashes().get("sha512");
        String url = stripSlash(targetBaseUrl) + "/" + targetPath(target.name(), t.root().consistentSnapshot() ? hash : null);
        byte[] data = fetch(url, "target " + target.name(), target.length());
        if (data.length != target.length()) {
            throw new TufException.BadHash("target " + target.name() + " has " + data.length + " bytes, its metadata lists "
                    + target.length());
        }
        Hashes.check("target " + target.name(), target.hashes(), data);
        return data;
    }

    private TrustedMetadata requireRefreshed() {
        if (trusted == null) {
            throw new IllegalStateException("no trusted metadata: call refresh() first (and check that it succeeded)");
        }
        return trusted;
    }

    /** 5.3.2 to 5.3.9: fetch N+1.root.json until there is none (or Y of them). */
    private void updateRoot(TrustedMetadata t) throws TufException, IOException {
        for (int i = 0; i < config.maxRootRotations(); i++) {
            String fileName = (t.root().version() + 1) + ".root.json";
            byte[] data;
            try {
                data = fetcher.fetch(metadataBaseUrl + "/" + fileName, config.maxRootBytes());
            } catch (RemoteFetcher.NotFoundException e) {
                return;                                                  // 5.3.3: no newer root
            } catch (IOException e) {
                throw downloadFailure(fileName, config.maxRootBytes(), e);
            }
            checkSize(fileName, data, config.maxRootBytes());
            if (!t.updateRoot(fileName, data)) {
                return;
            }
            store.write("root", data);                                   // 5.3.8
        }
    }

    private void loadPersisted(TrustedMetadata t) throws IOException {
        byte[] ts = store.read("timestamp");
        if (ts != null) {
            t.loadPersistedTimestamp(ts);
        }
        byte[] snap = store.read("snapshot");
        if (snap != null) {
            t.loadPersistedSnapshot(snap);
        }
    }

    private void updateTimestamp(TrustedMetadata t) throws TufException, IOException {
        byte[] data = fetch(metadataBaseUrl + "/timestamp.json", "timestamp.json", config.maxTimestampBytes());
        if (t.updateTimestamp(data)) {
            store.write("timestamp", data);                              // 5.4.5
        }
    }

    private void updateSnapshot(TrustedMetadata t) throws TufException, IOException {
        MetaFile listed = t.timestamp().snapshot();
        String fileName = t.root().consistentSnapshot() ? listed.version() + ".snapshot.json" : "snapshot.json";
        byte[] local = store.read("snapshot");
        if (local != null && accepts(() -> t.updateSnapshot(fileName, local))) {
            return;
        }
        long max = listed.length() != null ? listed.length() : config.maxSnapshotBytes();    // 5.5.1
        byte[] data = fetch(metadataBaseUrl + "/" + fileName, fileName, max);
        t.updateSnapshot(fileName, data);
        store.write("snapshot", data);                                   // 5.5.7
    }

    /** 5.6.1 to 5.6.6 for a targets role, top-level or delegated; reuses a verified copy. */
    private TargetsMetadata loadTargets(TrustedMetadata t, String roleName, Map<String, Key> keys, RoleKeys roleKeys)
            throws TufException {
        TargetsMetadata cached = roleName.equals("targets") ? null : t.delegated().get(roleName);
        if (cached != null) {
            return cached;
        }
        MetaFile listed = t.snapshotMeta(roleName);
        String fileName = t.root().consistentSnapshot() ? listed.version() + "." + roleName + ".json" : roleName + ".json";
        try {
            byte[] local = store.read(roleName);
            if (local != null && accepts(() -> t.updateTargets(roleName, fileName, local, keys, roleKeys))) {
                return roleName.equals("targets") ? t.targets() : t.delegated().get(roleName);
            }
            long max = listed.length() != null ? listed.length() : config.maxTargetsBytes();   // 5.6.1
            String url = metadataBaseUrl + "/" + (t.root().consistentSnapshot()
                    ? listed.version() + "." + MetadataStore.encode(roleName) + ".json" : MetadataStore.encode(roleName) + ".json");
            byte[] data = fetch(url, fileName, max);
            TargetsMetadata md = t.updateTargets(roleName, fileName, data, keys, roleKeys);
            store.write(roleName, data);                                 // 5.6.6
            return md;
        } catch (IOException e) {
            throw new TufException("cannot store " + roleName + ".json in " + store.dir() + ": " + e.getMessage(), e);
        }
    }

    private interface Check {
        void run() throws TufException;
    }

    private static boolean accepts(Check check) {
        try {
            check.run();
            return true;
        } catch (TufException e) {
            return false;
        }
    }

    private byte[] fetch(String url, String what, long maxBytes) throws TufException {
        byte[] data;
        try {
            data = fetcher.fetch(url, maxBytes);
        } catch (IOException e) {
            throw downloadFailure(what, maxBytes, e);
        }
        checkSize(what, data, maxBytes);
        return data;
    }

    private static void checkSize(String what, byte[] data, long maxBytes) throws TufException.TooLarge {
        if (data.length > maxBytes) {
            throw new TufException.TooLarge(what + " is larger than the " + maxBytes + " bytes allowed for it (endless data)", null);
        }
    }

    private static TufException downloadFailure(String what, long maxBytes, IOException e) {
        if (e instanceof RemoteFetcher.TooLargeException) {
            return new TufException.TooLarge(what + " is larger than the " + maxBytes + " bytes allowed for it (endless data)", e);
        }
        if (e instanceof RemoteFetcher.NotFoundException) {
            return new TufException.Download(what + " is not on the repository (" + e.getMessage() + ")", e);
        }
        return new TufException.Download("cannot fetch " + what + ": " + e.getMessage(), e);
    }

    /**
     * The URL path of a target, each segment percent-encoded: with consistent snapshots the
     * hash prefixes the file name, after any folders (5.7.3: {@code dir/<hash>.file.tgz}).
     */
    static String targetPath(String name, String hash) {
        String[] segments = name.split("/", -1);
        if (hash != null) {
            segments[segments.length - 1] = hash + "." + segments[segments.length - 1];
        }
        StringBuilder path = new StringBuilder();
        for (String segment : segments) {
            path.append(path.isEmpty() ? "" : "/").append(MetadataStore.encode(segment));
        }
        return path.toString();
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
