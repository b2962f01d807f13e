package dev.caravan.core.manifest;

import dev.caravan.core.json.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The rules for a file's path inside a release, checked when publishing and again when
 * installing: relative, '/'-separated, normalized, and unable to name anything outside the
 * release's folder.
 *
 * <p>A valid path has no empty segment (no leading, trailing or doubled '/'), no {@code .} or
 * {@code ..} segment, no backslash, no control character (NUL included) and no unpaired UTF-16
 * surrogate; it is at most {@value #MAX_PATH_BYTES} bytes of UTF-8, each segment at most
 * {@value #MAX_SEGMENT_BYTES}. A set of paths is valid if none repeats and none is both a file
 * and a folder of another ({@code a} and {@code a/b}), and no two names of files or folders differ
 * only in their Unicode normalization (NFC). Paths that differ only in case are distinct (Linux
 * trees hold {@code Makefile} and {@code makefile}); on a case-insensitive file system the
 * installer's exclusive create refuses them.
 */
public final class ReleasePaths {
    public static final int MAX_PATH_BYTES = 4096;
    public static final int MAX_SEGMENT_BYTES = 255;

    /** The order of files in the release stream: by Unicode code point, which is UTF-8 byte order. */
    public static final Comparator<String> ORDER = CanonicalJson.CODE_POINT_ORDER;

    private ReleasePaths() {}

    /** Returns {@code path} if it is valid, or throws an {@link IllegalArgumentException} naming it and the rule it breaks. */
    public static String requireValid(String path) {
        if (path == null || path.isEmpty()) {
            throw bad(path, "it is empty");
        }
        if (path.charAt(0) == '/') {
            throw bad(path, "it is absolute");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw bad(path, "it is longer than " + MAX_PATH_BYTES + " bytes");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\') {
                throw bad(path, "it has a backslash");
            }
            if (c < 0x20 || c == 0x7f) {
                throw bad(path, "it has a control character");
            }
            if (Character.isHighSurrogate(c) && i + 1 < path.length() && Character.isLowSurrogate(path.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw bad(path, "it has an unpaired UTF-16 surrogate");
            }
        }
        int start = 0;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            String segment = path.substring(start, end);
            if (segment.isEmpty()) {
                throw bad(path, "it has an empty segment");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw bad(path, "it has a \"" + segment + "\" segment");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw bad(path, "a segment is longer than " + MAX_SEGMENT_BYTES + " bytes");
            }
            start = end + 1;
        }
        return path;
    }

    /**
     * Checks that every path is valid, none repeats, and none is also a parent folder of another;
     * throws an {@link IllegalArgumentException} naming the first offender.
     */
    public static void requireDistinct(Collection<String> paths) {
        Set<String> seen = new HashSet<>(paths.size() * 2);
        for (String path : paths) {
            if (!seen.add(requireValid(path))) {
                throw bad(path, "it appears twice");
            }
        }
        for (String path : paths) {
            for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
                String folder = path.substring(0, slash);
                if (seen.contains(folder)) {
                    throw bad(folder, "it is a file and also the folder of \"" + path + "\"");
                }
            }
        }
        requireDistinctWhenNormalized(paths);
    }

    /**
     * Refuses two names, of files or of folders, that differ only in their Unicode normalization
     * ({@code "é"} as one code point and as {@code e} plus a combining accent): they look the same
     * to a person, and on a normalizing file system (macOS) they are the same file.
     */
    private static void requireDistinctWhenNormalized(Collection<String> paths) {
        Map<String, String> byNormalForm = new HashMap<>();
        for (String path : paths) {
            for (int end = path.indexOf('/'); ; end = path.indexOf('/', end + 1)) {
                String name = end < 0 ? path : path.substring(0, end);
                String other = byNormalForm.putIfAbsent(nfc(name), name);
                if (other != null && !other.equals(name)) {
                    throw bad(name, "it is the same name as " + quote(other) + " once Unicode-normalized (NFC)");
                }
                if (end < 0) {
                    break;
                }
            }
        }
    }

    /** {@code name} in NFC; ASCII text is its own NFC, and most names are ASCII. */
    private static String nfc(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) >= 0x80) {
                return Normalizer.normalize(name, Normalizer.Form.NFC);
            }
        }
        return name;
    }

    /**
     * Where {@code path} lands under {@code root}, after checking it is valid; the result is
     * always inside {@code root}.
     */
    public static Path resolve(Path root, String path) {
        Path resolved = root.resolve(requireValid(path)).normalize();
        if (!resolved.startsWith(root.normalize()) || resolved.equals(root.normalize())) {
            throw bad(path, "it resolves outside " + root);
        }
        return resolved;
    }

    private static IllegalArgumentException bad(String path, String why) {
        return new IllegalArgumentException("bad release path " + quote(path) + ": " + why);
    }

    /** The path in quotes, control characters escaped so that a message stays on one line. */
    static String quote(String path) {
        if (path == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(path.length() + 2).append('"');
        int[] codePoints = path.codePoints().limit(301).toArray();
        for (int i = 0; i < Math.min(codePoints.length, 300); i++) {
            int cp = codePoints[i];
            if (cp < 0x20 || cp == 0x7f || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        }
        return sb.append(codePoints.length > 300 ? "…\"" : "\"").toString();
    }
}
