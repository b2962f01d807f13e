package dev.caravan.core.manifest;

import dev.caravan.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;

/**
 * A release stream being read: the bytes of the given files one after another, each file's
 * SHA-256 taken on the way and its length checked against the size seen when the tree was
 * scanned, so that a file changed during publishing fails the publish instead of producing a
 * manifest that lies.
 */
final class ReleaseStream extends InputStream {
    /** A file to stream: its release path, where it is, its size when scanned and whether it is executable. */
    record SourceFile(String path, Path file, long size, boolean executable) {}

    private final List<SourceFile> files;
    private final Digest[] digests;
    private int index = -1;
    private InputStream current;
    private MessageDigest sha256;
    private long remaining;

    ReleaseStream(List<SourceFile> files) {
        this.files = files;
        this.digests = new Digest[files.size()];
    }

    /** The SHA-256 of file {@code i}, once the stream has read past it. */
    Digest digest(int i) {
        return digests[i];
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (current == null && !openNext()) {
                return -1;
            }
            if (remaining == 0) {
                finishCurrent();
                continue;
            }
            int n = current.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw changed(files.get(index), "it is shorter");
            }
            sha256.update(b, off, n);
            remaining -= n;
            return n;
        }
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    private boolean openNext() throws IOException {
        if (index + 1 >= files.size()) {
            return false;
        }
        index++;
        SourceFile file = files.get(index);
        current = Files.newInputStream(file.file(), LinkOption.NOFOLLOW_LINKS);
        sha256 = Digest.newSha256();
        remaining = file.size();
        return true;
    }

    private void finishCurrent() throws IOException {
        SourceFile file = files.get(index);
        try (InputStream in = current) {
            current = null;
            if (in.read() >= 0) {
                throw changed(file, "it is longer");
            }
        }
        digests[index] = Digest.ofBytes(sha256.digest());
    }

    private static IOException changed(SourceFile file, String how) {
        return new IOException("file " + file.file() + " changed while it was being published: " + how
                + " than the " + file.size() + " bytes it had");
    }
}
