package dev.caravan.tracker;

/**
 * The tracker refused the request with a 4xx status; sending it again unchanged will not help.
 * {@link #field()} names the offending field when the tracker said which
 * ({@code releases[0].manifest}), else it is {@code null}.
 */
public final class TrackerRejectedException extends TrackerException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String field;

    /** @param request what was refused, in words: {@code "announce"}, {@code "enrollment"} */
    public TrackerRejectedException(String request, int status, String field, String message) {
        super("tracker refused the " + request + " with " + status + (field == null ? "" : " (" + field + ")") + ": " + message);
        this.status = status;
        this.field = field;
    }

    /** The HTTP status, 400 to 499. */
    public int status() {
        return status;
    }

    /** The field the tracker named, or {@code null}. */
    public String field() {
        return field;
    }
}
