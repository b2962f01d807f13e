package dev.caravan.core.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Canonical JSON in the OLPC dialect that TUF signs: no insignificant white space, object keys
 * sorted by Unicode code point, strings as UTF-8 with only {@code "} and {@code \} escaped,
 * integers only (no floating point numbers), and {@code true}, {@code false}, {@code null}.
 *
 * <p>This is what securesystemslib's {@code encode_canonical} and go-tuf produce, so metadata
 * signed here verifies there and back.
 */
public final class CanonicalJson {
    /** A mapper for reading metadata: exact integers, duplicate keys refused. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Strings by Unicode code point, as Python's and Go's string sort order them (Java's
     * {@code String.compareTo} uses UTF-16 units, which differs past U+FFFF): the order of
     * canonical JSON's object keys, and of a release's paths.
     */
    public static final Comparator<String> CODE_POINT_ORDER = CanonicalJson::compareCodePoints;

    private CanonicalJson() {}

    /** The canonical bytes of {@code node}. */
    public static byte[] encode(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        write(node, out);
        return out.toByteArray();
    }

    /** Parses {@code json} into a tree, refusing duplicate keys and trailing content. */
    public static JsonNode parse(byte[] json) throws IOException {
        return MAPPER.readTree(json);
    }

    private static void write(JsonNode node, ByteArrayOutputStream out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
                fields.sort(Map.Entry.comparingByKey(CODE_POINT_ORDER));
                out.write('{');
                for (int i = 0; i < fields.size(); i++) {
                    if (i > 0) {
                        out.write(',');
                    }
                    writeString(fields.get(i).getKey(), out);
                    out.write(':');
                    write(fields.get(i).getValue(), out);
                }
                out.write('}');
            }
            case ARRAY -> {
                out.write('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.write(',');
                    }
                    write(node.get(i), out);
                }
                out.write(']');
            }
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> {
                if (!node.isIntegralNumber()) {
                    throw new IllegalArgumentException("canonical JSON has no floating point numbers: " + node);
                }
                String digits = node.canConvertToLong() ? Long.toString(node.longValue()) : node.bigIntegerValue().toString();
                out.writeBytes(digits.getBytes(StandardCharsets.US_ASCII));
            }
            case BOOLEAN -> out.writeBytes((node.booleanValue() ? "true" : "false").getBytes(StandardCharsets.US_ASCII));
            case NULL -> out.writeBytes("null".getBytes(StandardCharsets.US_ASCII));
            default -> throw new IllegalArgumentException("no canonical JSON form for a " + node.getNodeType() + " node");
        }
    }

    private static void writeString(String s, ByteArrayOutputStream out) {
        out.write('"');
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        // Copied in runs between the bytes to escape: most strings (hashes, paths) have none, and
        // byte-at-a-time writes to the stream (each takes its lock) were most of a manifest's encoding.
        int from = 0;
        for (int i = 0; i < utf8.length; i++) {
            if (utf8[i] == '"' || utf8[i] == '\\') {
                out.write(utf8, from, i - from);
                out.write('\\');
                from = i;
            }
        }
        out.write(utf8, from, utf8.length - from);
        out.write('"');
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
