package dev.caravan.tuf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.json.CanonicalJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher's side of TUF: creates the keys and the first root of a repository folder,
 * adds targets, rotates keys and re-signs the timestamp, writing metadata in the TUF 1.0
 * format with consistent snapshots.
 *
 * <p>Repository layout written (relative to the repository folder):
 * <pre>
 * metadata/N.root.json      every root version, kept forever (tuf-spec 6.2)
 * metadata/root.json        a copy of the newest root, for bootstrapping tools
 * metadata/V.targets.json   consistent-snapshot targets versions
 * metadata/V.snapshot.json  consistent-snapshot snapshot versions
 * metadata/timestamp.json   the only file read without a version (written last)
 * targets/&lt;sha256&gt;.&lt;name&gt;  target files, named by hash (tuf-spec 6.2)
 * </pre>
 * Beside each target file and targets version of {@value #GZIP_MIN_BYTES} bytes or more goes its
 * gzip copy ({@code P.gz}), for origins to send to clients that take gzip (nginx's
 * {@code gzip_static}; {@code caravan origin}): manifests and the list of targets grow with a
 * release's files and the repository's releases, and every agent fetches them, so they are where
 * an origin's bytes go after the chunks. The copy is written after its file; a client checks
 * what it inflates against the same length and hashes as the file itself.
 * Every file is written atomically (temporary file, fsync, rename) and in the order that keeps
 * the repository consistent for a client reading it meanwhile: target files, targets,
 * snapshot, then timestamp.json.
 *
 * <p>Implementation notes: each new version starts from a copy of the previous signed object,
 * so fields written by other tools survive. Targets list only a sha256 hash, so one copy of a
 * target file suffices (tuf-spec 6.2: N hashes would need N copies). A single publisher per
 * repository is assumed: there is no lock.
 */
public final class RepositoryWriter {
    private static final Logger log = LoggerFactory.getLogger(RepositoryWriter.class);

    /** Smaller files are not worth a copy: the headers of a response outweigh what gzip saves. */
    static final int GZIP_MIN_BYTES = 1024;

    private final RepositoryConfig config;
    private final Clock clock;

    public RepositoryWriter(RepositoryConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Creates the keys folder ({@code rootThreshold} root keys, one key for each other role) and
     * a new repository: {@code 1.root.json} (threshold {@code rootThreshold}, consistent
     * snapshots), an empty {@code 1.targets.json}, {@code 1.snapshot.json} and
     * {@code timestamp.json}.
     */
    public PublishResult init(Path keysDir, Path repoDir, int rootThreshold) throws IOException, TufException {
        requireApart(keysDir, repoDir);
        if (rootThreshold < 1) {
            throw new IllegalArgumentException("rootThreshold must be at least 1, got " + rootThreshold);
        }
        Path meta = RepositoryState.metadataDir(repoDir);
        if (RepositoryState.newestRootVersion(meta) > 0) {
            throw new IOException("repository " + repoDir + " already has root metadata; refusing to initialize it again");
        }
        KeysFolder keys = KeysFolder.create(keysDir);
        Map<Role, List<SigningKey>> signers = new EnumMap<>(Role.class);
        Map<Role, List<Key>> publicKeys = new EnumMap<>(Role.class);
        Map<Role, Integer> thresholds = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            int n = role == Role.ROOT ? rootThreshold : 1;
            List<SigningKey> generated = generate(n);
            signers.put(role, generated);
            publicKeys.put(role, generated.stream().map(SigningKey::key).toList());
            thresholds.put(role, n);
            keys.write(role, generated);
        }
        Instant now = clock.instant();
        ObjectNode root = MetadataBuilder.newRoot(now.plus(config.rootExpiry()), publicKeys, thresholds);
        byte[] rootBytes = Envelope.sign(root, signers.get(Role.ROOT));
        Files.createDirectories(repoDir.resolve("targets"));
        AtomicFile.write(meta.resolve("1.root.json"), rootBytes);
        AtomicFile.write(meta.resolve("root.json"), rootBytes);
        byte[] targets = Envelope.sign(MetadataBuilder.targets(null, 1, now.plus(config.targetsExpiry()), List.of()),
                signers.get(Role.TARGETS));
        AtomicFile.write(meta.resolve("1.targets.json"), targets);
        byte[] snapshot = Envelope.sign(MetadataBuilder.snapshot(null, 1, now.plus(config.snapshotExpiry()), 1, targets),
                signers.get(Role.SNAPSHOT));
        AtomicFile.write(meta.resolve("1.snapshot.json"), snapshot);
        byte[] timestamp = Envelope.sign(MetadataBuilder.timestamp(1, now.plus(config.timestampExpiry()), 1, snapshot),
                signers.get(Role.TIMESTAMP));
        AtomicFile.write(meta.resolve("timestamp.json"), timestamp);
        log.info("initialized TUF repository {} (root threshold {}, {} keys)", repoDir, rootThreshold, config.keyType());
        return new PublishResult(true, 1, 1, 1, 1, List.of());
    }

    /**
     * Adds (or replaces) targets: writes {@code targets/<sha256>.<name>} for each, then new
     * targets, snapshot and timestamp versions, keeping the targets already listed. When every
     * target is already listed with the same bytes and custom field, writes nothing.
     *
     * @param targets by target name: a plain file name (no {@code /}, not {@code .} or {@code ..})
     */
    public PublishResult addTargets(Path keysDir, Path repoDir, Map<String, NewTarget> targets)
            throws IOException, TufException {
        requireApart(keysDir, repoDir);
        KeysFolder keys = new KeysFolder(keysDir);
        RepositoryState s = loadAndRepair(keys, repoDir);
        List<TargetInfo> changed = new ArrayList<>();
        Map<String, byte[]> contents = new TreeMap<>();
        for (Map.Entry<String, NewTarget> e : new TreeMap<>(targets).entrySet()) {
            validateTargetName(e.getKey());
            byte[] content = e.getValue().content();
            TargetInfo info = new TargetInfo(e.getKey(), content.length,
                    Map.of("sha256", Hashes.hex("SHA-256", content)), e.getValue().custom());
            if (!sameTarget(info, s.targets().targets().get(info.name()))) {
                changed.add(info);
                contents.put(info.name(), content);
            }
        }
        if (changed.isEmpty()) {
            return unchanged(s);
        }
        Map<Role, List<SigningKey>> signers = new EnumMap<>(Role.class);
        for (Role r : List.of(Role.TARGETS, Role.SNAPSHOT, Role.TIMESTAMP)) {
            signers.put(r, signers(keys, s.root(), r));
        }
        for (TargetInfo info : changed) {
            Path file = targetFile(repoDir, info);
            if (!Files.isRegularFile(file) || Files.size(file) != info.length()) {
                writeWithGzipCopy(file, contents.get(info.name()));
            }
        }
        PublishResult result = writeChain(s, s.root().version(), Role.TARGETS, changed, signers);
        log.info("published {} target(s) to {}: targets v{}, snapshot v{}, timestamp v{}", changed.size(), repoDir,
                result.targetsVersion(), result.snapshotVersion(), result.timestampVersion());
        return result;
    }

    /**
     * Writes a new timestamp version with a fresh expiry (run it from cron, more often than the
     * expiry). When the targets or snapshot metadata has less than half of its validity left, it
     * is re-signed too (same content, next version), so a repository with no new release never
     * freezes its clients; those keys must then be in {@code keysDir}. The root cannot be renewed
     * this way: it needs the root keys ({@code caravan keys rotate}).
     */
    public PublishResult resignTimestamp(Path keysDir, Path repoDir) throws IOException, TufException {
        requireApart(keysDir, repoDir);
        KeysFolder keys = new KeysFolder(keysDir);
        RepositoryState s = loadAndRepair(keys, repoDir);
        Instant now = clock.instant();
        Role from = expiresWithinHalf(s.targets().expires(), config.targetsExpiry(), now) ? Role.TARGETS
                : expiresWithinHalf(s.snapshot().expires(), config.snapshotExpiry(), now) ? Role.SNAPSHOT
                : Role.TIMESTAMP;
        Map<Role, List<SigningKey>> signers = new EnumMap<>(Role.class);
        for (Role r : List.of(Role.TARGETS, Role.SNAPSHOT, Role.TIMESTAMP)) {
            if (r.ordinal() >= from.ordinal()) {
                signers.put(r, signers(keys, s.root(), r));
            }
        }
        PublishResult result = writeChain(s, s.root().version(), from, List.of(), signers);
        log.info("re-signed {} and below of {}: targets v{}, snapshot v{}, timestamp v{}", from.id(), repoDir,
                result.targetsVersion(), result.snapshotVersion(), result.timestampVersion());
        if (expiresWithinHalf(s.root().expires(), config.rootExpiry(), now)) {
            log.warn("root metadata of {} expires at {}: renew it with the root keys (caravan keys rotate)", repoDir,
                    s.root().expires());
        }
        return result;
    }

    private static boolean expiresWithinHalf(Instant expires, java.time.Duration validity, Instant now) {
        return !expires.isAfter(now.plus(validity.dividedBy(2)));
    }

    /** {@link #rotate(Path, Path, Role, int)} keeping the role's current threshold. */
    public PublishResult rotate(Path keysDir, Path repoDir, Role role) throws IOException, TufException {
        RepositoryState s = loadAndRepair(new KeysFolder(keysDir), repoDir);
        return rotate(keysDir, repoDir, role, s.root().role(role).threshold());
    }

    /**
     * Replaces every key of {@code role} by {@code threshold} new keys with that threshold, and
     * writes root version N+1 signed by a threshold of the old root keys and, when the root
     * keys change, by the new ones too (tuf-spec 6.1, 5.3.4). When targets, snapshot or
     * timestamp keys change, that role and the ones below it are re-signed with the new keys
     * at new versions, so the repository stays consistent. Old key files move to
     * {@code <keys>/retired/root-v<N+1>/}.
     */
    public PublishResult rotate(Path keysDir, Path repoDir, Role role, int threshold) throws IOException, TufException {
        requireApart(keysDir, repoDir);
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1, got " + threshold);
        }
        KeysFolder keys = new KeysFolder(keysDir);
        RepositoryState s = loadAndRepair(keys, repoDir);
        List<SigningKey> oldRootSigners = signers(keys, s.root(), Role.ROOT);
        List<SigningKey> fresh = generate(threshold);
        long rootVersion = s.root().version() + 1;
        Instant now = clock.instant();
        ObjectNode rootSigned = MetadataBuilder.nextRoot(s.root().signed(), rootVersion, now.plus(config.rootExpiry()),
                role, fresh.stream().map(SigningKey::key).toList(), threshold);
        List<SigningKey> rootSigners = new ArrayList<>(oldRootSigners);
        if (role == Role.ROOT) {
            rootSigners.addAll(fresh);
        }
        byte[] rootBytes = Envelope.sign(rootSigned, rootSigners);
        RootMetadata newRoot = RootMetadata.parse(rootVersion + ".root.json", rootSigned);

        Path staging = keys.staging(role);
        KeysFolder.write(staging, role, fresh);
        Path meta = RepositoryState.metadataDir(repoDir);
        AtomicFile.write(meta.resolve(rootVersion + ".root.json"), rootBytes);
        AtomicFile.write(meta.resolve("root.json"), rootBytes);
        PublishResult result;
        if (role == Role.ROOT) {
            result = new PublishResult(true, rootVersion, s.targets().version(), s.snapshot().version(),
                    s.timestamp().version(), List.of());
        } else {
            Map<Role, List<SigningKey>> signers = new EnumMap<>(Role.class);
            for (Role r : List.of(Role.TARGETS, Role.SNAPSHOT, Role.TIMESTAMP)) {
                if (r.ordinal() >= role.ordinal()) {
                    signers.put(r, r == role ? fresh : signers(keys, newRoot, r));
                }
            }
            result = writeChain(s, rootVersion, role, List.of(), signers);
        }
        keys.replace(role, staging, "root-v" + rootVersion);
        log.info("rotated {} keys of {}: root v{}, {} new key(s), threshold {}", role.id(), repoDir, rootVersion,
                threshold, threshold);
        return result;
    }

    /**
     * Refuses a keys folder inside the repository folder (or the other way round): whatever
     * serves the repository would serve the private keys too.
     */
    static void requireApart(Path keysDir, Path repoDir) throws IOException {
        Path keys = keysDir.toAbsolutePath().normalize();
        Path repo = repoDir.toAbsolutePath().normalize();
        if (keys.startsWith(repo) || repo.startsWith(keys)) {
            throw new IOException("the keys folder " + keysDir + " and the repository " + repoDir
                    + " must be apart: whatever serves the repository would serve the private keys");
        }
    }

    /** The targets the repository's current targets metadata lists, by name. */
    public static Map<String, TargetInfo> targets(Path repoDir) throws IOException, TufException {
        return RepositoryState.load(repoDir).targets().targets();
    }

    /** The file of {@code target} in the repository: {@code targets/<sha256>.<name>}. */
    public static Path targetFile(Path repoDir, TargetInfo target) {
        return repoDir.resolve("targets").resolve(target.sha256() + "." + target.name());
    }

    /** Checks that {@code name} is a plain file name: not empty, no {@code /} or {@code \}, not {@code .} or {@code ..}, no control characters. */
    public static void validateTargetName(String name) {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")
                || name.contains("\\") || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || name.length() > 200) {
            throw new IllegalArgumentException("bad target name \"" + name
                    + "\": a target name is a plain file name of 1 to 200 characters, without '/', '\\' or control characters, not '.' or '..'");
        }
    }

    /**
     * Writes the metadata chain from {@code from} down: targets (with {@code added}), snapshot,
     * then timestamp.json last, each at its next version.
     */
    private PublishResult writeChain(RepositoryState s, long rootVersion, Role from, List<TargetInfo> added,
                                     Map<Role, List<SigningKey>> signers) throws IOException {
        Path meta = RepositoryState.metadataDir(s.repo());
        Instant now = clock.instant();
        long targetsVersion = s.snapshot().meta().get("targets.json").version();
        byte[] targetsBytes;
        if (from == Role.TARGETS) {
            targetsVersion = s.targets().version() + 1;
            targetsBytes = Envelope.sign(MetadataBuilder.targets(s.targets().signed(), targetsVersion,
                    now.plus(config.targetsExpiry()), added), signers.get(Role.TARGETS));
            writeWithGzipCopy(meta.resolve(targetsVersion + ".targets.json"), targetsBytes);
        } else {
            targetsBytes = Files.readAllBytes(meta.resolve(targetsVersion + ".targets.json"));
        }
        long snapshotVersion = s.timestamp().snapshot().version();
        byte[] snapshotBytes;
        if (from != Role.TIMESTAMP) {
            snapshotVersion = s.snapshot().version() + 1;
            snapshotBytes = Envelope.sign(MetadataBuilder.snapshot(s.snapshot().signed(), snapshotVersion,
                    now.plus(config.snapshotExpiry()), targetsVersion, targetsBytes), signers.get(Role.SNAPSHOT));
            AtomicFile.write(meta.resolve(snapshotVersion + ".snapshot.json"), snapshotBytes);
        } else {
            snapshotBytes = Files.readAllBytes(meta.resolve(snapshotVersion + ".snapshot.json"));
        }
        long timestampVersion = s.timestamp().version() + 1;
        byte[] timestampBytes = Envelope.sign(MetadataBuilder.timestamp(timestampVersion,
                now.plus(config.timestampExpiry()), snapshotVersion, snapshotBytes), signers.get(Role.TIMESTAMP));
        AtomicFile.write(meta.resolve("timestamp.json"), timestampBytes);
        return new PublishResult(true, rootVersion, targetsVersion, snapshotVersion, timestampVersion, added);
    }

    /**
     * Writes {@code file}, then its gzip copy beside it if it is large enough to be worth one. A
     * copy already there goes first: a publish cut short may have left one for other bytes under
     * the same name (a targets version written but never listed), and it must not outlive them.
     */
    private static void writeWithGzipCopy(Path file, byte[] data) throws IOException {
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".gz"));
        AtomicFile.write(file, data);
        if (data.length >= GZIP_MIN_BYTES) {
            ByteArrayOutputStream gzip = new ByteArrayOutputStream(data.length / 3);
            try (GZIPOutputStream out = new GZIPOutputStream(gzip)) {
                out.write(data);
            }
            AtomicFile.write(file.resolveSibling(file.getFileName() + ".gz"), gzip.toByteArray());
        }
    }

    private static PublishResult unchanged(RepositoryState s) {
        return new PublishResult(false, s.root().version(), s.targets().version(), s.snapshot().version(),
                s.timestamp().version(), List.of());
    }

    private static boolean sameTarget(TargetInfo a, TargetInfo b) {
        return b != null && a.length() == b.length() && a.hashes().equals(b.hashes())
                && Arrays.equals(CanonicalJson.encode(a.custom()), CanonicalJson.encode(b.custom()));
    }

    /**
     * The repository's current state after finishing an interrupted key rotation (tuf-spec
     * 6.1 leaves how to the implementer): staged keys move into place or are dropped, and if
     * the newest root lists keys that did not sign the targets, snapshot or timestamp file,
     * that role and those below it are re-signed at new versions.
     */
    private RepositoryState loadAndRepair(KeysFolder keys, Path repoDir) throws IOException, TufException {
        RepositoryState s = RepositoryState.load(repoDir);
        keys.recover(s.root());
        if (s.staleFrom() == null) {
            return s;
        }
        Map<Role, List<SigningKey>> signers = new EnumMap<>(Role.class);
        for (Role r : List.of(Role.TARGETS, Role.SNAPSHOT, Role.TIMESTAMP)) {
            if (r.ordinal() >= s.staleFrom().ordinal()) {
                signers.put(r, signers(keys, s.root(), r));
            }
        }
        writeChain(s, s.root().version(), s.staleFrom(), List.of(), signers);
        log.warn("re-signed the {} metadata of {} and the roles below it: root version {} lists keys that had not "
                + "signed it (an interrupted key rotation)", s.staleFrom().id(), repoDir, s.root().version());
        return RepositoryState.load(repoDir);
    }

    /** The keys in the folder that {@code root} lists for {@code role}; at least the role's threshold of them. */
    static List<SigningKey> signers(KeysFolder keys, RootMetadata root, Role role) throws IOException, TufException {
        RoleKeys wanted = root.role(role);
        List<SigningKey> found = keys.load(role).stream().filter(k -> wanted.keyids().contains(k.keyid())).toList();
        if (found.size() < wanted.threshold()) {
            throw new TufException("keys folder " + keys.dir() + " holds " + found.size() + " of the " + role.id()
                    + " keys that root version " + root.version() + " lists; " + wanted.threshold() + " needed to sign");
        }
        return found;
    }

    private List<SigningKey> generate(int n) {
        List<SigningKey> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(SigningKey.generate(config.keyType()));
        }
        return out;
    }
}
