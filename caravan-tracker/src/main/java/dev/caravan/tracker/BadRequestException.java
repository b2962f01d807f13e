package dev.caravan.tracker;

/**
 * A request the tracker refuses with 400: its JSON is malformed, or a field is missing, of the
 * wrong type or out of range. {@link #field()} names the field as a path
 * ({@code releases[2].manifest}), or {@code body} when the body as a whole is wrong.
 */
final class BadRequestException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String field;

    BadRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    String field() {
        return field;
    }
}
