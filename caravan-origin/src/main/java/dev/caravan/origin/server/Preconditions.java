package dev.caravan.origin.server;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Date;

/**
 * The conditional request headers a static GET/HEAD server honours, judged against one
 * {@link ServedFile}: If-None-Match and If-Modified-Since (a cache revalidating: 304) and
 * If-Range (a client resuming: the range only if the file is still the same one).
 *
 * <p>If-Match and If-Unmodified-Since are for changing a resource; they are not evaluated.
 */
final class Preconditions {

    private Preconditions() {}

    /**
     * Whether a GET or HEAD should be answered 304 Not Modified (RFC 9110 §13.2.2 steps 3–4):
     * If-None-Match, compared weakly (§13.1.2), and only without it If-Modified-Since (§13.1.3).
     */
    static boolean notModified(HttpHeaders headers, ServedFile file) {
        String ifNoneMatch = headers.get(HttpHeaderNames.IF_NONE_MATCH);
        if (ifNoneMatch != null) {
            return matches(ifNoneMatch, file.etag(), false);
        }
        String ifModifiedSince = headers.get(HttpHeaderNames.IF_MODIFIED_SINCE);
        if (ifModifiedSince != null) {
            Date since = DateFormatter.parseHttpDate(ifModifiedSince);
            // An invalid date is ignored (§13.1.3); HTTP dates have one-second resolution.
            return since != null && file.lastModified().getEpochSecond() <= since.toInstant().getEpochSecond();
        }
        return false;
    }

    /**
     * Whether a Range header may be honoured given If-Range (RFC 9110 §13.1.5): absent, or an
     * entity-tag that matches strongly, or exactly the Last-Modified date.
     */
    static boolean rangeApplies(HttpHeaders headers, ServedFile file) {
        String ifRange = headers.get(HttpHeaderNames.IF_RANGE);
        if (ifRange == null) {
            return true;
        }
        String value = ifRange.strip();
        if (value.startsWith("\"") || value.startsWith("W/")) {
            return matches(value, file.etag(), true);
        }
        Date date = DateFormatter.parseHttpDate(value);
        return date != null && date.toInstant().getEpochSecond() == file.lastModified().getEpochSecond();
    }

    /**
     * Whether a comma-separated list of entity-tags (or {@code *}) names {@code etag}. Strong
     * comparison (§8.8.3.2) needs both tags strong; weak comparison ignores {@code W/}. A list
     * that does not parse matches nothing.
     */
    static boolean matches(String list, String etag, boolean strong) {
        String value = list.strip();
        if (value.equals("*")) {
            return !strong;
        }
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == ',' || c == ' ' || c == '\t') {
                i++;
                continue;
            }
            boolean weak = value.startsWith("W/", i);
            if (weak) {
                i += 2;
            }
            if (i >= value.length() || value.charAt(i) != '"') {
                return false;
            }
            int close = value.indexOf('"', i + 1);
            if (close < 0) {
                return false;
            }
            String tag = value.substring(i, close + 1);
            if (tag.equals(etag) && !(strong && weak)) {
                return true;
            }
            i = close + 1;
        }
        return false;
    }
}
