package dev.caravan.tuf;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A {@link RemoteFetcher} for {@code file:} URLs: reads a repository folder on a local disk
 * (tests, auditors, a repository on a mounted share). Reads at most {@code maxBytes + 1}
 * bytes, so a huge or endless file (a FIFO, /dev/zero) costs no more than the limit.
 */
public final class FileFetcher implements RemoteFetcher {

    @Override
    public byte[] fetch(String url, long maxBytes) throws IOException {
        Path path;
        try {
            URI uri = URI.create(url);
            if (!"file".equalsIgnoreCase(uri.getScheme())) {
                throw new IOException("not a file: URL: " + url);
            }
            path = Path.of(uri);
        } catch (IllegalArgumentException e) {
            throw new IOException("bad file URL " + url + ": " + e.getMessage(), e);
        }
        if (!Files.isRegularFile(path) && !Files.exists(path)) {
            throw new NotFoundException(url);
        }
        int cap = (int) Math.min(maxBytes, Integer.MAX_VALUE - 16);
        try (InputStream in = Files.newInputStream(path)) {
            byte[] data = in.readNBytes(cap);
            if (data.length == cap && in.read() != -1) {
                throw new TooLargeException(url, maxBytes);
            }
            return data;
        } catch (NoSuchFileException e) {
            throw new NotFoundException(url);
        }
    }
}
