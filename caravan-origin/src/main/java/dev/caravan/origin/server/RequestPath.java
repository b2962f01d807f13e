package dev.caravan.origin.server;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The path of a request, as decoded path segments that can be joined under the repository root
 * without leaving it: no segment is empty of meaning ({@code .}, {@code ..}) or holds a separator,
 * a backslash, NUL or another control character.
 *
 * <p>Decoding is strict and happens once, here: a request-target that is not exactly an
 * origin-form or an http(s) absolute-form path (RFC 9112 §3.2) is refused rather than repaired,
 * so that no later step can see a different path than this one did. An empty segment
 * ({@code /chunks/} or {@code //}) is kept; it names no file and is answered 404.
 *
 * @param segments the decoded segments, in order; {@code /} has none
 */
record RequestPath(List<String> segments) {

    /** The request-target cannot name a file in the repository; answered 400. */
    static final class BadPathException extends Exception {
        BadPathException(String reason) {
            super(reason);
        }
    }

    RequestPath {
        segments = List.copyOf(segments);
    }

    /** The segments joined with {@code /}, for cache rules and messages. */
    String joined() {
        return String.join("/", segments);
    }

    /**
     * Parses a request-target: origin-form ({@code /a/b?q}) or absolute-form
     * ({@code http://host/a/b}); the query is ignored, as a static server does.
     */
    static RequestPath parse(String target) throws BadPathException {
        String path = pathOf(target);
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (path.indexOf('#') >= 0) {
            // A fragment never travels in a request-target (RFC 9112 §3.2).
            throw new BadPathException("a request-target has no fragment");
        }
        List<String> segments = new ArrayList<>();
        if (path.length() > 1) {
            for (String raw : path.substring(1).split("/", -1)) {
                segments.add(decodeSegment(raw));
            }
        }
        return new RequestPath(segments);
    }

    private static String pathOf(String target) throws BadPathException {
        if (target.startsWith("/")) {
            return target;
        }
        // A server must accept the absolute-form (RFC 9112 §3.2.2); only its path names the file.
        int schemeEnd = target.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : target.substring(0, schemeEnd);
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            throw new BadPathException("only origin-form and http(s) absolute-form request-targets are served");
        }
        int pathStart = target.indexOf('/', schemeEnd + 3);
        String authority = pathStart < 0 ? target.substring(schemeEnd + 3) : target.substring(schemeEnd + 3, pathStart);
        if (authority.isEmpty() || authority.indexOf('@') >= 0 || authority.indexOf('?') >= 0) {
            throw new BadPathException("bad authority in absolute-form request-target");
        }
        return pathStart < 0 ? "/" : target.substring(pathStart);
    }

    /** Percent-decodes one segment (RFC 3986 §2.1, §3.3) and checks what it decodes to. */
    private static String decodeSegment(String raw) throws BadPathException {
        ByteBuffer bytes = ByteBuffer.allocate(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw new BadPathException("truncated percent-escape");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new BadPathException("bad percent-escape");
                }
                bytes.put((byte) (hi << 4 | lo));
                i += 2;
            } else if (isPchar(c)) {
                bytes.put((byte) c);
            } else {
                throw new BadPathException("character not allowed in a path: U+%04X".formatted((int) c));
            }
        }
        String segment;
        try {
            segment = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes.flip())
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadPathException("path is not UTF-8");
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw new BadPathException("dot segments are not allowed");
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) {
                throw new BadPathException("encoded separator or control character in a path segment");
            }
        }
        return segment;
    }

    /** {@code pchar} of RFC 3986 §3.3 less {@code %}: unreserved, sub-delims, ':' and '@'. */
    private static boolean isPchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:@".indexOf(c) >= 0;
    }
}
