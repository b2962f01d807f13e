package dev.caravan.core.manifest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.Digest;
import dev.caravan.core.json.CanonicalJson;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The canonical JSON form of a {@link Manifest}, format {@value Manifest#FORMAT}. */
final class ManifestJson {
    private static final ObjectReader READER = CanonicalJson.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern SECONDS_UTC = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
    private static final Set<String> TOP_FIELDS =
            Set.of("format", "product", "version", "channel", "created_at", "total_bytes", "chunks", "files");
    private static final Set<String> CHUNK_FIELDS = Set.of("sha256", "size");
    private static final Set<String> FILE_FIELDS = Set.of("path", "mode", "size", "sha256", "slices");
    private static final Set<String> SLICE_FIELDS = Set.of("chunk", "offset", "length");

    private ManifestJson() {}

    static byte[] encode(Manifest m) {
        ObjectNode root = NODES.objectNode();
        root.put("format", Manifest.FORMAT);
        root.put("product", m.product());
        root.put("version", m.version());
        root.put("channel", m.channel());
        root.put("created_at", m.createdAt().toString());
        root.put("total_bytes", m.totalBytes());
        ArrayNode chunks = root.putArray("chunks");
        for (ChunkInfo c : m.chunks()) {
            chunks.addObject().put("sha256", c.digest().hex()).put("size", c.size());
        }
        ArrayNode files = root.putArray("files");
        for (FileEntry f : m.files()) {
            ObjectNode file = files.addObject()
                    .put("path", f.path()).put("mode", f.mode()).put("size", f.size()).put("sha256", f.sha256().hex());
            ArrayNode slices = file.putArray("slices");
            for (ChunkSlice s : f.slices()) {
                slices.addObject().put("chunk", s.chunk().hex()).put("offset", s.offset()).put("length", s.length());
            }
        }
        return CanonicalJson.encode(root);
    }

    static Manifest decode(byte[] json) throws ManifestException {
        if (json.length > Manifest.MAX_JSON_BYTES) {
            throw new ManifestException("manifest is " + json.length + " bytes, more than the " + Manifest.MAX_JSON_BYTES + " allowed");
        }
        JsonNode root;
        try {
            root = READER.readTree(json);
        } catch (IOException e) {
            throw new ManifestException("manifest is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new ManifestException("manifest is not a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isIntegralNumber() || !format.bigIntegerValue().equals(BigInteger.valueOf(Manifest.FORMAT))) {
            throw new ManifestException("unknown manifest format " + format + "; this version reads format " + Manifest.FORMAT);
        }
        requireFields(root, TOP_FIELDS, At.MANIFEST);
        JsonNode chunkArray = array(root, "chunks", At.MANIFEST, Manifest.MAX_CHUNKS);
        JsonNode fileArray = array(root, "files", At.MANIFEST, Manifest.MAX_FILES);
        List<ChunkInfo> chunks = new ArrayList<>(chunkArray.size());
        for (int i = 0; i < chunkArray.size(); i++) {
            At where = new At("chunks", i, -1);
            JsonNode c = requireFields(chunkArray.get(i), CHUNK_FIELDS, where);
            try {
                chunks.add(new ChunkInfo(digest(c, "sha256", where), (int) number(c, "size", where, Integer.MAX_VALUE)));
            } catch (IllegalArgumentException e) {
                throw new ManifestException("bad manifest: " + where + ": " + e.getMessage());
            }
        }
        List<FileEntry> files = new ArrayList<>(fileArray.size());
        for (int i = 0; i < fileArray.size(); i++) {
            files.add(file(fileArray.get(i), i, chunks.size()));
        }
        try {
            return new Manifest(text(root, "product", At.MANIFEST), text(root, "version", At.MANIFEST),
                    text(root, "channel", At.MANIFEST), instant(root, "created_at"),
                    number(root, "total_bytes", At.MANIFEST, Long.MAX_VALUE), chunks, files);
        } catch (IllegalArgumentException e) {
            throw new ManifestException("bad manifest: " + e.getMessage());
        }
    }

    private static FileEntry file(JsonNode node, int index, int maxSlices) throws ManifestException {
        At where = new At("files", index, -1);
        requireFields(node, FILE_FIELDS, where);
        JsonNode sliceArray = array(node, "slices", where, maxSlices + 1);
        List<ChunkSlice> slices = new ArrayList<>(sliceArray.size());
        for (int j = 0; j < sliceArray.size(); j++) {
            At at = new At("files", index, j);
            JsonNode s = requireFields(sliceArray.get(j), SLICE_FIELDS, at);
            try {
                slices.add(new ChunkSlice(digest(s, "chunk", at), (int) number(s, "offset", at, Integer.MAX_VALUE),
                        (int) number(s, "length", at, Integer.MAX_VALUE)));
            } catch (IllegalArgumentException e) {
                throw new ManifestException("bad manifest: " + at + ": " + e.getMessage());
            }
        }
        try {
            // Any int mode reaches FileEntry, whose message names the file and shows the mode in octal.
            return new FileEntry(text(node, "path", where), (int) number(node, "mode", where, Integer.MAX_VALUE),
                    number(node, "size", where, Long.MAX_VALUE), digest(node, "sha256", where), slices);
        } catch (IllegalArgumentException e) {
            throw new ManifestException("bad manifest: " + where + ": " + e.getMessage());
        }
    }

    private static JsonNode requireFields(JsonNode node, Set<String> fields, At where) throws ManifestException {
        if (node == null || !node.isObject()) {
            throw new ManifestException("bad manifest: " + where + " is not a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!fields.contains(name)) {
                throw new ManifestException("bad manifest: " + where + " has an unknown field \"" + name + "\"");
            }
        }
        for (String name : fields) {
            if (!node.has(name)) {
                throw new ManifestException("bad manifest: " + where + " has no \"" + name + "\"");
            }
        }
        return node;
    }

    private static JsonNode array(JsonNode node, String field, At where, int maxSize) throws ManifestException {
        JsonNode value = node.get(field);
        if (!value.isArray()) {
            throw new ManifestException("bad manifest: " + where + "." + field + " is not an array");
        }
        if (value.size() > maxSize) {
            throw new ManifestException("bad manifest: " + where + "." + field + " has " + value.size()
                    + " entries, more than the " + maxSize + " allowed");
        }
        return value;
    }

    private static String text(JsonNode node, String field, At where) throws ManifestException {
        JsonNode value = node.get(field);
        if (!value.isTextual()) {
            throw new ManifestException("bad manifest: " + where + "." + field + " is not a string: " + value);
        }
        return value.textValue();
    }

    private static long number(JsonNode node, String field, At where, long max) throws ManifestException {
        JsonNode value = node.get(field);
        if (!value.isIntegralNumber()) {
            throw new ManifestException("bad manifest: " + where + "." + field + " is not an integer: " + value);
        }
        // a long's value without a BigInteger: most of a manifest's numbers, read while the code is cold
        long n = value.canConvertToLong() ? value.longValue() : -1;
        if (n < 0 || n > max) {
            throw new ManifestException("bad manifest: " + where + "." + field + " is " + value.bigIntegerValue()
                    + ", outside 0.." + max);
        }
        return n;
    }

    private static Digest digest(JsonNode node, String field, At where) throws ManifestException {
        String hex = text(node, field, where);
        try {
            return Digest.parse(hex);
        } catch (IllegalArgumentException e) {
            throw new ManifestException("bad manifest: " + where + "." + field + ": " + e.getMessage());
        }
    }

    private static Instant instant(JsonNode node, String field) throws ManifestException {
        String text = text(node, field, At.MANIFEST);
        try {
            if (SECONDS_UTC.matcher(text).matches()) {
                return Instant.parse(text);
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new ManifestException("bad manifest: manifest." + field + " \"" + text + "\" is not a UTC time like 2030-01-01T00:00:00Z");
    }

    /**
     * Where a value is, for a message: {@code manifest}, {@code chunks[3]}, {@code files[7]} or
     * {@code files[7].slices[0]}. Formatted only when a message is thrown; a manifest has thousands
     * of values, read while the code is still cold.
     */
    private record At(String array, int index, int slice) {
        static final At MANIFEST = new At(null, -1, -1);

        @Override
        public String toString() {
            if (array == null) {
                return "manifest";
            }
            return array + "[" + index + "]" + (slice < 0 ? "" : ".slices[" + slice + "]");
        }
    }
}
