package dev.caravan.core.manifest;

import dev.caravan.core.Digest;
import dev.caravan.core.ReleaseId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The description of one release: what it is (product, version, channel, when it was made),
 * the chunks of its release stream in order, and its file tree, each file made of slices of
 * those chunks. A downloader fetches {@link #distinctChunks()}; an installer writes {@link #files()}.
 *
 * <p>The release stream is every file's bytes, concatenated in path order ({@link ReleasePaths#ORDER}),
 * cut into chunks; so the files' slices, in order, tile the chunk list exactly, and this record
 * checks that they do. Only regular files are kept: folders are implied by the paths, and an
 * empty folder is not part of a release.
 *
 * <p>Its wire form is canonical JSON ({@link #toCanonicalJson()}, {@link #parse(byte[])}) with
 * {@code "format": 1}; {@code docs/repository.md} describes it. A manifest is limited to
 * {@value #MAX_FILES} files, {@value #MAX_CHUNKS} chunks and {@value #MAX_JSON_BYTES} bytes of
 * JSON, so a bad one cannot exhaust memory.
 *
 * @param product the product's name, as {@link ReleaseId} allows
 * @param version the release's version, as {@link ReleaseId} allows
 * @param channel the channel it is published on, as {@link ReleaseId#requireChannel} allows
 * @param createdAt when it was published, to the second
 * @param totalBytes the release stream's length: the sum of the chunks' and of the files' sizes
 * @param chunks the chunks of the release stream in order; a chunk appears as often as its bytes do
 * @param files the files, in strictly increasing path order
 */
public record Manifest(String product, String version, String channel, Instant createdAt, long totalBytes,
        List<ChunkInfo> chunks, List<FileEntry> files) {
    /** The format this code writes and the only one it reads. */
    public static final int FORMAT = 1;
    public static final int MAX_FILES = 500_000;
    public static final int MAX_CHUNKS = 1_000_000;
    public static final int MAX_JSON_BYTES = 64 << 20;
    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    public Manifest {
        new ReleaseId(product, version);
        ReleaseId.requireChannel(channel);
        Objects.requireNonNull(createdAt, "createdAt");
        if (createdAt.getNano() != 0 || createdAt.isBefore(EARLIEST) || createdAt.isAfter(LATEST)) {
            throw new IllegalArgumentException("createdAt " + createdAt + " must be whole seconds from " + EARLIEST + " to " + LATEST);
        }
        if (chunks.size() > MAX_CHUNKS || files.size() > MAX_FILES) {
            throw new IllegalArgumentException("a manifest has at most " + MAX_CHUNKS + " chunks and " + MAX_FILES
                    + " files; this one has " + chunks.size() + " and " + files.size());
        }
        chunks = List.copyOf(chunks);
        files = List.copyOf(files);
        long chunkBytes = 0;
        for (ChunkInfo chunk : chunks) {
            chunkBytes += chunk.size();
        }
        if (totalBytes < 0 || chunkBytes != totalBytes) {
            throw new IllegalArgumentException("totalBytes is " + totalBytes + " but the chunks add up to " + chunkBytes + " bytes");
        }
        List<String> paths = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            String path = files.get(i).path();
            if (i > 0 && files.get(i - 1).path().equals(path)) {
                throw new IllegalArgumentException("bad release path " + ReleasePaths.quote(path) + ": it appears twice");
            }
            if (i > 0 && ReleasePaths.ORDER.compare(files.get(i - 1).path(), path) >= 0) {
                throw new IllegalArgumentException("files are not in strictly increasing path order: " + ReleasePaths.quote(path)
                        + " comes after " + ReleasePaths.quote(files.get(i - 1).path()));
            }
            paths.add(path);
        }
        ReleasePaths.requireDistinct(paths);
        requireSlicesTileChunks(chunks, files);
    }

    public ReleaseId releaseId() {
        return new ReleaseId(product, version);
    }

    /** Each chunk once, in order of first appearance: what a downloader must have. */
    public List<ChunkInfo> distinctChunks() {
        Set<Digest> seen = new HashSet<>();
        List<ChunkInfo> distinct = new ArrayList<>();
        for (ChunkInfo chunk : chunks) {
            if (seen.add(chunk.digest())) {
                distinct.add(chunk);
            }
        }
        return distinct;
    }

    /** The manifest's canonical JSON bytes: what is published, hashed and signed. */
    public byte[] toCanonicalJson() {
        return ManifestJson.encode(this);
    }

    /**
     * The SHA-256 of {@link #toCanonicalJson()}: the release's name when its manifest was
     * published as canonical JSON, as {@code caravan publish} does. An agent names a release by
     * the bytes it fetched ({@link ManifestFile#digest()}), which spares encoding it again.
     */
    public Digest digest() {
        return Digest.sha256(toCanonicalJson());
    }

    /** Reads a manifest, checking everything this record checks plus the JSON's shape; unknown fields are refused. */
    public static Manifest parse(byte[] json) throws ManifestException {
        return ManifestJson.decode(json);
    }

    /** Walks the files' slices along the chunk list: each must continue the stream exactly where the previous one ended. */
    private static void requireSlicesTileChunks(List<ChunkInfo> chunks, List<FileEntry> files) {
        int chunk = 0;
        int offsetInChunk = 0;
        for (FileEntry file : files) {
            for (int s = 0; s < file.slices().size(); s++) {
                ChunkSlice slice = file.slices().get(s);
                if (chunk >= chunks.size()) {
                    throw new IllegalArgumentException(where(file, s) + " goes past the last chunk of the release stream");
                }
                ChunkInfo expected = chunks.get(chunk);
                if (!slice.chunk().equals(expected.digest()) || slice.offset() != offsetInChunk) {
                    throw new IllegalArgumentException(where(file, s) + " is chunk " + slice.chunk() + " at offset " + slice.offset()
                            + " but the release stream there is chunk " + expected.digest() + " at offset " + offsetInChunk);
                }
                if (slice.offset() + slice.length() > expected.size()) {
                    throw new IllegalArgumentException(where(file, s) + " ends at " + (slice.offset() + slice.length())
                            + ", past the end of chunk " + expected.digest() + " (" + expected.size() + " bytes)");
                }
                offsetInChunk += slice.length();
                if (offsetInChunk == expected.size()) {
                    chunk++;
                    offsetInChunk = 0;
                }
            }
        }
        if (chunk != chunks.size()) {
            throw new IllegalArgumentException("the files end at chunk " + chunk + " offset " + offsetInChunk
                    + " but the release stream has " + chunks.size() + " chunks");
        }
    }

    /** Where a slice is, for a message: built only when one is thrown. */
    private static String where(FileEntry file, int slice) {
        return "file " + ReleasePaths.quote(file.path()) + " slice " + slice;
    }
}
