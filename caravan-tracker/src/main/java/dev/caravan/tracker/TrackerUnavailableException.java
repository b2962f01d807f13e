package dev.caravan.tracker;

/**
 * A transient fault: the tracker could not be reached, did not answer in time, closed the
 * connection, or answered with a 5xx status. Retry later, with backoff.
 */
public final class TrackerUnavailableException extends TrackerException {
    private static final long serialVersionUID = 1L;

    public TrackerUnavailableException(String message) {
        super(message);
    }

    public TrackerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
