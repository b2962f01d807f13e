package dev.caravan.core.manifest;

import dev.caravan.core.Digest;
import dev.caravan.core.ReleaseId;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.core.chunk.ChunkingConfig;
import dev.caravan.core.chunk.FastCdc;
import dev.caravan.core.manifest.ReleaseStream.SourceFile;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The publisher's half of the content model: turns a folder (or one file) into a
 * {@link Manifest}, storing the chunks of its release stream in a {@link ChunkStore}.
 *
 * <p>The regular files under the folder are streamed in path order ({@link ReleasePaths#ORDER})
 * through {@link FastCdc}; each chunk is written to the store unless it is already there, so
 * publishing unchanged content stores nothing new. A file keeps one bit of its mode: executable
 * by its owner gives 0755, otherwise 0644. Empty files are kept; empty folders are not.
 *
 * <p>The tree must hold only folders and regular files: a symbolic link anywhere under the
 * folder (it could point outside the release) or a special file (fifo, socket, device) fails
 * the publish with an {@link IOException} naming it. The folder given itself may be a link.
 */
public final class ReleaseChunker {
    /**
     * What a publish produced.
     *
     * @param manifest the release's manifest
     * @param newChunks how many chunks were written to the store (the rest were there already)
     * @param newBytes how many bytes those chunks hold
     */
    public record Result(Manifest manifest, int newChunks, long newBytes) {}

    private final ChunkStore store;
    private final FastCdc fastCdc;

    public ReleaseChunker(ChunkStore store, ChunkingConfig config) {
        this.store = store;
        this.fastCdc = new FastCdc(config);
    }

    /**
     * Chunks {@code source} into the store and describes it as release {@code release} on
     * {@code channel}, made at {@code createdAt} (kept to the second). A single file becomes a
     * release of one file named as it is.
     */
    public Result chunk(Path source, ReleaseId release, String channel, Instant createdAt) throws IOException {
        ReleaseId.requireChannel(channel);
        List<SourceFile> sources = scan(source);
        List<ChunkInfo> chunks = new ArrayList<>();
        int[] newChunks = {0};
        long[] newBytes = {0};
        try (ReleaseStream stream = new ReleaseStream(sources)) {
            fastCdc.chunk(stream, (offset, data, digest) -> {
                chunks.add(new ChunkInfo(digest, data.length));
                if (!store.has(digest) && store.put(digest, data)) {
                    newChunks[0]++;
                    newBytes[0] += data.length;
                }
            });
            List<FileEntry> files = describe(sources, stream, chunks);
            long total = files.stream().mapToLong(FileEntry::size).sum();
            Manifest manifest = new Manifest(release.product(), release.version(), channel,
                    createdAt.truncatedTo(ChronoUnit.SECONDS), total, chunks, files);
            return new Result(manifest, newChunks[0], newBytes[0]);
        }
    }

    /** Lays the files over the chunk list: each file's slices are the chunk runs its stream range covers. */
    private static List<FileEntry> describe(List<SourceFile> sources, ReleaseStream stream, List<ChunkInfo> chunks) {
        List<FileEntry> files = new ArrayList<>(sources.size());
        int chunk = 0;
        long chunkStart = 0;
        long pos = 0;
        for (int i = 0; i < sources.size(); i++) {
            SourceFile source = sources.get(i);
            long end = pos + source.size();
            List<ChunkSlice> slices = new ArrayList<>();
            while (pos < end) {
                while (chunkStart + chunks.get(chunk).size() <= pos) {
                    chunkStart += chunks.get(chunk).size();
                    chunk++;
                }
                ChunkInfo info = chunks.get(chunk);
                int offset = (int) (pos - chunkStart);
                int length = (int) Math.min(end - pos, info.size() - offset);
                slices.add(new ChunkSlice(info.digest(), offset, length));
                pos += length;
            }
            Digest sha256 = stream.digest(i);
            files.add(new FileEntry(source.path(), source.executable() ? FileEntry.MODE_EXECUTABLE : FileEntry.MODE_REGULAR,
                    source.size(), sha256, slices));
        }
        return files;
    }

    /** The regular files under {@code source}, in release order, refusing links and special files. */
    static List<SourceFile> scan(Path source) throws IOException {
        BasicFileAttributes rootAttributes = Files.readAttributes(source, BasicFileAttributes.class);
        if (rootAttributes.isRegularFile()) {
            String name = source.toAbsolutePath().normalize().getFileName().toString();
            return List.of(new SourceFile(ReleasePaths.requireValid(name), source, rootAttributes.size(), executable(source)));
        }
        if (!rootAttributes.isDirectory()) {
            throw new IOException("cannot publish " + source + ": it is neither a folder nor a regular file");
        }
        Path root = source.toRealPath();
        List<SourceFile> files = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isSymbolicLink()) {
                    throw new IOException("cannot publish " + file + ": it is a symbolic link, and a release holds only regular files"
                            + " (a link could point outside the release)");
                }
                if (!attrs.isRegularFile()) {
                    throw new IOException("cannot publish " + file + ": it is a special file (fifo, socket or device),"
                            + " and a release holds only regular files");
                }
                String path = relativePath(root, file);
                try {
                    ReleasePaths.requireValid(path);
                } catch (IllegalArgumentException e) {
                    throw new IOException("cannot publish " + file + ": " + e.getMessage(), e);
                }
                files.add(new SourceFile(path, file, attrs.size(), executable(file)));
                return FileVisitResult.CONTINUE;
            }
        });
        files.sort((a, b) -> ReleasePaths.ORDER.compare(a.path(), b.path()));
        ReleasePaths.requireDistinct(files.stream().map(SourceFile::path).toList());
        return List.copyOf(files);
    }

    private static String relativePath(Path root, Path file) {
        StringBuilder sb = new StringBuilder();
        for (Path name : root.relativize(file)) {
            if (!sb.isEmpty()) {
                sb.append('/');
            }
            sb.append(name);
        }
        return sb.toString();
    }

    private static boolean executable(Path file) throws IOException {
        try {
            return Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).contains(PosixFilePermission.OWNER_EXECUTE);
        } catch (UnsupportedOperationException e) {
            return Files.isExecutable(file);
        }
    }
}
