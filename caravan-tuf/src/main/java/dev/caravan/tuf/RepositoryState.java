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
 * {@code N.root.json}, {@code timestamp.json}, and the snapshot and targets versions the
 * timestamp leads to, each checked against the root's keys.
 */
record RepositoryState(Path repo, RootMetadata root, TimestampMetadata timestamp, SnapshotMetadata snapshot,
                       TargetsMetadata targets) {
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
        RootMetadata root = read(meta, newest + ".root.json", Role.ROOT, null);
        TimestampMetadata ts = read(meta, "timestamp.json", Role.TIMESTAMP, root);
        String snapshotFile = ts.snapshot().version() + ".snapshot.json";
        SnapshotMetadata snap = read(meta, snapshotFile, Role.SNAPSHOT, root);
        String targetsFile = snap.meta().get("targets.json").version() + ".targets.json";
        TargetsMetadata targets = read(meta, targetsFile, Role.TARGETS, root);
        return new RepositoryState(repo, root, ts, snap, targets);
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

    @SuppressWarnings("unchecked")
    private static <T> T read(Path meta, String file, Role role, RootMetadata root) throws IOException, TufException {
        Envelope env = Envelope.parse(file, Files.readAllBytes(meta.resolve(file)));
        Object parsed = switch (role) {
            case ROOT -> RootMetadata.parse(file, env.signed());
            case TIMESTAMP -> TimestampMetadata.parse(file, env.signed());
            case SNAPSHOT -> SnapshotMetadata.parse(file, env.signed());
            case TARGETS -> TargetsMetadata.parse(file, env.signed());
        };
        RootMetadata verifier = root != null ? root : (RootMetadata) parsed;
        verifier.verify(role, env);
        return (T) parsed;
    }
}
