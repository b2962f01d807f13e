package dev.caravan.origin.server;

import io.netty.handler.codec.DateFormatter;
import java.nio.channels.FileChannel;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A repository file opened for one response, with its validators (RFC 9110 §8.8) and the cache
 * rule its name calls for.
 *
 * <p>Names under consistent snapshots never change content, so caches may keep them for a year
 * without asking again ({@code immutable}, RFC 8246): versioned metadata
 * ({@code metadata/N.role.json}), hash-prefixed targets ({@code targets/<hex>.name}) and every
 * chunk ({@code chunks/**}). Anything else ({@code metadata/timestamp.json}, an unversioned root)
 * changes in place and gets {@code no-cache}: a cache may keep it but must revalidate first.
 *
 * <p>The entity-tag is strong. For a file named by its hash it is that hash, so the same file
 * served from another origin or a copy of the folder has the same tag. Otherwise it is built
 * from the size, the modification time in nanoseconds and the file key (inode): the publisher
 * replaces files by renaming a new one in, which changes the inode even within one second.
 *
 * <p>An immutable metadata or target file may also be served as the gzip copy the publisher wrote beside it
 * ({@code P.gz}, {@link #gzipped}): the same file in another representation (RFC 9110 §8.4), with
 * {@code Content-Encoding: gzip}, its own length and an entity-tag of its own.
 *
 * @param path the path asked for (for a gzip copy, the file it is a copy of)
 * @param channel the open file; whoever sends the response owns it and closes it
 * @param gzip whether {@code channel} holds the gzip copy of the file at {@code path}
 */
record ServedFile(RequestPath path, FileChannel channel, long size, Instant lastModified, String etag, boolean immutable,
                  boolean gzip) {

    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String REVALIDATE = "no-cache";

    private static final Pattern VERSIONED_METADATA = Pattern.compile("[0-9]+\\.[^/]+\\.json");
    private static final Pattern HASH_PREFIXED = Pattern.compile("([0-9a-f]{64}|[0-9a-f]{128})\\..+");
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    ServedFile {
        Objects.requireNonNull(channel, "channel");
    }

    static ServedFile of(RequestPath path, FileChannel channel, long size, BasicFileAttributes attributes) {
        List<String> segments = path.segments();
        String first = segments.getFirst();
        String name = segments.getLast();
        String hashName = null;
        boolean immutable = false;
        if (first.equals("chunks") && segments.size() > 1) {
            immutable = true;
            hashName = HASH.matcher(name).matches() ? name : null;
        } else if (first.equals("targets") && segments.size() > 1 && HASH_PREFIXED.matcher(name).matches()) {
            immutable = true;
            hashName = name.substring(0, name.indexOf('.'));
        } else if (first.equals("metadata") && segments.size() == 2 && VERSIONED_METADATA.matcher(name).matches()) {
            immutable = true;
        }
        Instant modified = attributes.lastModifiedTime().toInstant();
        String etag = '"' + (hashName != null ? hashName : fileTag(size, attributes)) + '"';
        return new ServedFile(path, channel, size, modified, etag, immutable, false);
    }

    /** An entity-tag's text for a file not named by its hash: size, modification time in nanoseconds, inode. */
    private static String fileTag(long size, BasicFileAttributes attributes) {
        return "%x-%x-%x".formatted(size, attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                Objects.hashCode(attributes.fileKey()));
    }

    /**
     * Whether this file may have a gzip copy beside it to serve instead: metadata and targets,
     * which the publisher compresses ({@code docs/repository.md}); never chunks, whose bytes do
     * not compress.
     */
    boolean mayHaveGzipCopy() {
        String first = path.segments().getFirst();
        return !gzip && immutable && (first.equals("metadata") || first.equals("targets"));
    }

    /**
     * This file's gzip copy, opened as {@code channel}: its length and time, the same cache rule,
     * and a tag of its own, from the copy's size, time and inode (copies of the same file made by
     * two tools differ in their bytes, so the file's hash cannot name them).
     */
    ServedFile gzipped(FileChannel channel, long size, BasicFileAttributes attributes) {
        String tag = '"' + fileTag(size, attributes) + "-gzip\"";
        return new ServedFile(path, channel, size, attributes.lastModifiedTime().toInstant(), tag, immutable, true);
    }

    String cacheControl() {
        return immutable ? IMMUTABLE : REVALIDATE;
    }

    String contentType() {
        return path.segments().getLast().endsWith(".json") ? "application/json" : "application/octet-stream";
    }

    /** Last-Modified as an IMF-fixdate (RFC 9110 §5.6.7). */
    String lastModifiedHttpDate() {
        return DateFormatter.format(Date.from(lastModified));
    }
}
