package dev.caravan.tuf;

import java.io.IOException;

/**
 * Fetches one file of a remote repository (metadata or a target) by URL, reading at most
 * {@code maxBytes}: the TUF client's only way out to the network. Implementations: the origin
 * client (http, https) and a local folder (file URLs).
 */
public interface RemoteFetcher {

    /**
     * The bytes at {@code url}.
     *
     * @throws NotFoundException if the server says the file does not exist
     * @throws TooLargeException if the file has more than {@code maxBytes} bytes (the download
     *     stops there: an endless-data attack costs at most {@code maxBytes})
     * @throws IOException for any other transport failure
     */
    byte[] fetch(String url, long maxBytes) throws IOException;

    /** The file does not exist on the remote repository (HTTP 404 and the like). */
    final class NotFoundException extends IOException {
        public NotFoundException(String url) {
            super("not found: " + url);
        }
    }

    /** The file is longer than the caller allowed. */
    final class TooLargeException extends IOException {
        public TooLargeException(String url, long maxBytes) {
            super(url + " is larger than the " + maxBytes + " bytes allowed for it");
        }
    }
}
