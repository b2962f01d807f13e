package dev.caravan.tuf;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The current top-level metadata of a repository folder as the publisher finds it: the newest
 * {@code N.root.json} (checked against its own keys), {@code timestamp.json}, and the snapshot
 * and targets versions the timestamp leads to. {@code staleFrom} is the highest of targets,
 * snapshot and timestamp whose file the root's keys for it did not sign ({@code null} when all
 * did): what a key rotation interrupted between writing the root and re-signing left behind.
 */
record RepositoryState(Path repo, RootMetadata root, TimestampMetadata timestamp, SnapshotMetadata snapshot,
                       TargetsMetadata targets, Role staleFrom) {
    private static final Pattern ROOT_FILE = Pattern.compile("(\\d+)\\.root\\.json");

    static Path metadataDir(Path repo) {
        return repo.resolve("metadata");
    }

    static RepositoryState load(Path repo) throws IOException, TufException {
        Path meta = metadataDir(repo);
        long newest = newestRootVersion(meta);
        if (newest == 0) {
            throw new NoSuchFileException(meta.resolve("1.root.json").toString(), null,
                    "no root metadata: run keys init first");
        }
        String rootFile = newest + ".root.json";
        Envelope rootEnv = read(meta, rootFile);
        RootMetadata root = RootMetadata.parse(rootFile, rootEnv.signed());
        root.verify(Role.ROOT, rootEnv);
        Envelope tsEnv = read(meta, "timestamp.json");
        TimestampMetadata ts = TimestampMetadata.parse("timestamp.json", tsEnv.signed());
        String snapshotFile = ts.snapshot().version() + ".snapshot.json";
        Envelope snapEnv = read(meta, snapshotFile);
        SnapshotMetadata snap = SnapshotMetadata.parse(snapshotFile, snapEnv.signed());
        String targetsFile = snap.meta().get("targets.json").version() + ".targets.json";
        Envelope targetsEnv = read(meta, targetsFile);
        TargetsMetadata targets = TargetsMetadata.parse(targetsFile, targetsEnv.signed());
        Role stale = !signed(root, Role.TARGETS, targetsEnv) ? Role.TARGETS
                : !signed(root, Role.SNAPSHOT, snapEnv) ? Role.SNAPSHOT
                : !signed(root, Role.TIMESTAMP, tsEnv) ? Role.TIMESTAMP : null;
        return new RepositoryState(repo, root, ts, snap, targets, stale);
    }

    private static boolean signed(RootMetadata root, Role role, Envelope env) {
        try {
            root.verify(role, env);
            return true;
        } catch (TufException e) {
            return false;
        }
    }

    static long newestRootVersion(Path meta) throws IOException {
        long newest = 0;
        if (!Files.isDirectory(meta)) {
            return 0;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(meta, "*.root.json")) {
            for (Path p : ds) {
                Matcher m = ROOT_FILE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    newest = Math.max(newest, Long.parseLong(m.group(1)));
                }
            }
        }
        return newest;
    }

    private static Envelope read(Path meta, String file) throws IOException, TufException {
        return Envelope.parse(file, Files.readAllBytes(meta.resolve(file)));
    }
}
