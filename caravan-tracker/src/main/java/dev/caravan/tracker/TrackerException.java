package dev.caravan.tracker;

import java.io.IOException;

/**
 * An announce failed. Thrown as is when the tracker cannot be trusted or understood: the TLS
 * handshake failed (a certificate refused on either side) or the answer is malformed. The
 * subclasses tell a transient fault ({@link TrackerUnavailableException}, retry with backoff)
 * from a refused request ({@link TrackerRejectedException}, fix the request).
 */
public class TrackerException extends IOException {
    private static final long serialVersionUID = 1L;

    public TrackerException(String message) {
        super(message);
    }

    public TrackerException(String message, Throwable cause) {
        super(message, cause);
    }
}
