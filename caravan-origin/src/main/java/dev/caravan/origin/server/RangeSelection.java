package dev.caravan.origin.server;

/**
 * What a {@code Range} header (RFC 9110 §14.2) asks of a representation of a known length: the
 * whole of it, one slice, or nothing that exists.
 *
 * <p>Only a single byte range is honoured. A header that does not parse, names another unit, or
 * lists several ranges is ignored and the whole file is sent with 200, which RFC 9110 §14.2
 * allows ("A server MAY ignore the Range header field"); multipart/byteranges would only help
 * clients that Caravan does not have.
 */
sealed interface RangeSelection {

    /** Send the whole representation (200). */
    record Whole() implements RangeSelection {}

    /** Send bytes {@code first..last}, both inclusive (206). */
    record Slice(long first, long last) implements RangeSelection {
        long length() {
            return last - first + 1;
        }

        /** The Content-Range value (RFC 9110 §14.4). */
        String contentRange(long size) {
            return "bytes " + first + "-" + last + "/" + size;
        }
    }

    /** No byte of the representation is in the range (416, RFC 9110 §15.5.17). */
    record Unsatisfiable() implements RangeSelection {}

    Whole WHOLE = new Whole();
    Unsatisfiable UNSATISFIABLE = new Unsatisfiable();

    /** Reads a {@code Range} header value ({@code null} when absent) against a file of {@code size} bytes. */
    static RangeSelection parse(String header, long size) {
        if (header == null) {
            return WHOLE;
        }
        String value = header.strip();
        // range-unit is case-insensitive (RFC 9110 §14.1).
        if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
            return WHOLE;
        }
        String spec = null;
        for (String element : value.substring(6).split(",", -1)) {
            String trimmed = element.strip();
            if (trimmed.isEmpty()) {
                continue; // the list rule allows empty elements (RFC 9110 §5.6.1)
            }
            if (spec != null) {
                return WHOLE; // several ranges: served whole
            }
            spec = trimmed;
        }
        if (spec == null) {
            return WHOLE;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return WHOLE;
        }
        String firstText = spec.substring(0, dash);
        String lastText = spec.substring(dash + 1);
        if (firstText.isEmpty()) {
            // suffix-range: the last n bytes (RFC 9110 §14.1.2)
            long suffix = digits(lastText);
            if (suffix < 0) {
                return WHOLE;
            }
            if (suffix == 0 || size == 0) {
                return UNSATISFIABLE;
            }
            return new Slice(Math.max(0, size - suffix), size - 1);
        }
        long first = digits(firstText);
        long last = lastText.isEmpty() ? Long.MAX_VALUE : digits(lastText);
        if (first < 0 || last < 0 || last < first) {
            return WHOLE; // not a valid range-spec: ignore the header
        }
        if (first >= size) {
            return UNSATISFIABLE;
        }
        return new Slice(first, Math.min(last, size - 1));
    }

    /** 1*DIGIT as a long, saturating at Long.MAX_VALUE (a huge last-pos just means "to the end"); -1 if not digits. */
    private static long digits(String text) {
        if (text.isEmpty()) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n > (Long.MAX_VALUE - (c - '0')) / 10 ? Long.MAX_VALUE : n * 10 + (c - '0');
        }
        return n;
    }
}
