package dev.caravan.cli;

import dev.caravan.origin.client.OriginClient;
import dev.caravan.origin.client.OriginClientConfig;
import dev.caravan.tuf.FileFetcher;
import dev.caravan.tuf.RemoteFetcher;
import java.io.IOException;
import java.util.Locale;

/**
 * Fetches {@code http:}, {@code https:} (through the Netty origin client, made on first use) and
 * {@code file:} URLs, so that every command that reads a repository can read a local copy too.
 */
final class UrlFetcher implements RemoteFetcher, AutoCloseable {
    private final OriginClientConfig config;
    private final FileFetcher files = new FileFetcher();
    private OriginClient origin;

    UrlFetcher(OriginClientConfig config) {
        this.config = config;
    }

    @Override
    public byte[] fetch(String url, long maxBytes) throws IOException {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("file:")) {
            return files.fetch(url, maxBytes);
        }
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return origin().fetch(url, maxBytes);
        }
        throw new IOException("unsupported URL " + url + ": use http://, https:// or file:");
    }

    synchronized OriginClient origin() throws IOException {
        if (origin == null) {
            origin = new OriginClient(config);
        }
        return origin;
    }

    @Override
    public synchronized void close() {
        if (origin != null) {
            origin.close();
        }
    }
}
