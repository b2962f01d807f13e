package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the fields of one JSON object of a metadata file strictly, failing with a
 * {@link TufException.BadFormat} that names the file (or object) and the field.
 */
final class MetadataReader {
    /** tuf-spec 4.2 date-time: "YYYY-MM-DDTHH:MM:SSZ", always UTC. */
    private static final Pattern DATE_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
    private static final Pattern SEMVER_1 = Pattern.compile("1\\.\\d+(\\.\\d+)?([-+].*)?");

    private final String where;
    private final JsonNode node;

    MetadataReader(String where, JsonNode node) throws TufException.BadFormat {
        this.where = where;
        if (node == null || !node.isObject()) {
            throw new TufException.BadFormat(where + " is not a JSON object");
        }
        this.node = node;
    }

    JsonNode node() {
        return node;
    }

    boolean has(String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    String text(String field) throws TufException.BadFormat {
        JsonNode v = required(field);
        if (!v.isTextual()) {
            throw bad("\"" + field + "\" must be a string");
        }
        return v.textValue();
    }

    JsonNode object(String field) throws TufException.BadFormat {
        JsonNode v = required(field);
        if (!v.isObject()) {
            throw bad("\"" + field + "\" must be an object");
        }
        return v;
    }

    JsonNode array(String field) throws TufException.BadFormat {
        JsonNode v = required(field);
        if (!v.isArray()) {
            throw bad("\"" + field + "\" must be an array");
        }
        return v;
    }

    List<String> textList(String field) throws TufException.BadFormat {
        List<String> out = new ArrayList<>();
        for (JsonNode e : array(field)) {
            if (!e.isTextual()) {
                throw bad("\"" + field + "\" must hold only strings");
            }
            out.add(e.textValue());
        }
        return out;
    }

    boolean bool(String field) throws TufException.BadFormat {
        JsonNode v = required(field);
        if (!v.isBoolean()) {
            throw bad("\"" + field + "\" must be true or false");
        }
        return v.booleanValue();
    }

    /** An integer field at least {@code min} and at most {@link Long#MAX_VALUE}. */
    long integer(String field, long min) throws TufException.BadFormat {
        JsonNode v = required(field);
        if (!v.isIntegralNumber()) {
            throw bad("\"" + field + "\" must be an integer");
        }
        BigInteger b = v.bigIntegerValue();
        if (b.bitLength() > 63 || b.longValue() < min) {
            throw bad("\"" + field + "\" must be an integer from " + min + " to " + Long.MAX_VALUE + ", got " + b);
        }
        return b.longValue();
    }

    /** Checks {@code _type} and {@code spec_version} (major version 1, tuf-spec 4.3 SPEC_VERSION). */
    void header(String expectedType) throws TufException.BadFormat {
        String type = text("_type");
        if (!type.equals(expectedType)) {
            throw bad("has _type \"" + type + "\", expected \"" + expectedType + "\"");
        }
        String spec = text("spec_version");
        if (!SEMVER_1.matcher(spec).matches()) {
            throw bad("has spec_version \"" + spec + "\"; this client supports TUF 1.x");
        }
    }

    long version() throws TufException.BadFormat {
        return integer("version", 1);
    }

    Instant expires() throws TufException.BadFormat {
        String s = text("expires");
        if (!DATE_TIME.matcher(s).matches()) {
            throw bad("has expires \"" + s + "\", expected the form YYYY-MM-DDTHH:MM:SSZ");
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw bad("has expires \"" + s + "\" which is not a valid date-time");
        }
    }

    TufException.BadFormat bad(String what) {
        return new TufException.BadFormat(where + " " + what);
    }

    private JsonNode required(String field) throws TufException.BadFormat {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw bad("has no \"" + field + "\"");
        }
        return v;
    }
}
