package dev.caravan.origin.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The repository folder as the origin sees it: opens the regular file a {@link RequestPath}
 * names, and nothing else.
 *
 * <p>A file is served only if its real path (all symbolic links followed) lies under the real
 * root: a link inside the repository that points outside is answered as missing, and so are
 * directories (no listings) and dot-files (the publisher's temporary files while it writes).
 *
 * <p>Implementation notes: the checks and the open run on the I/O thread; they are a few
 * system calls on a local folder, as in nginx. The file is opened by its real path with
 * {@code NOFOLLOW_LINKS}, so a link swapped in after the check is not followed either. Someone
 * who can write into the repository can serve anything anyway; these checks keep a request from
 * reaching outside it.
 */
final class RepositoryFiles {

    private final Path realRoot;

    RepositoryFiles(Path root) throws IOException {
        this.realRoot = root.toRealPath();
        if (!Files.isDirectory(realRoot)) {
            throw new IOException("origin repository root is not a directory: " + root);
        }
    }

    Path root() {
        return realRoot;
    }

    /** Opens the file at {@code path}, or returns {@code null} when there is no file to serve there. */
    ServedFile open(RequestPath path) throws IOException {
        Opened opened = openRegular(path);
        return opened == null ? null : ServedFile.of(path, opened.channel(), opened.size(), opened.attributes());
    }

    /**
     * Opens the gzip copy of {@code file} ({@code P.gz} beside it, under the same rules as any
     * file), or returns {@code null} when there is none. {@code file} stays open either way.
     */
    ServedFile openGzipCopy(ServedFile file) throws IOException {
        List<String> segments = new ArrayList<>(file.path().segments());
        segments.set(segments.size() - 1, segments.getLast() + ".gz");
        Opened opened = openRegular(new RequestPath(segments));
        return opened == null ? null : file.gzipped(opened.channel(), opened.size(), opened.attributes());
    }

    private record Opened(FileChannel channel, long size, BasicFileAttributes attributes) {}

    /** The regular file at {@code path}, open, with its size; null when there is none to serve. */
    private Opened openRegular(RequestPath path) throws IOException {
        if (path.segments().isEmpty()) {
            return null;
        }
        Path candidate = realRoot;
        for (String segment : path.segments()) {
            if (segment.isEmpty() || segment.startsWith(".")) {
                return null;
            }
            try {
                candidate = candidate.resolve(segment);
            } catch (InvalidPathException e) {
                return null;
            }
        }
        Path real;
        BasicFileAttributes attributes;
        try {
            real = candidate.toRealPath();
            if (!real.startsWith(realRoot)) {
                return null;
            }
            attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null; // missing, unreadable or a dangling link: all look the same from outside
        }
        if (!attributes.isRegularFile()) {
            return null;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
        try {
            return new Opened(channel, channel.size(), attributes);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }
}
