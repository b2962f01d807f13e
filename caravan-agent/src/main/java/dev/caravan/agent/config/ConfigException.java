package dev.caravan.agent.config;

import java.util.Objects;

/**
 * A bad agent setting: where it came from, which key, the value as written and why it is refused.
 * The message is one line: {@code agent.toml: limits.upload_rate = "10 MBs": not a rate ...}.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final int MAX_SHOWN_VALUE = 120;

    private final String source;
    private final String key;
    private final String value;
    private final String reason;

    /**
     * @param source the config file, {@code "override"}, or null when the values were not read from anywhere
     * @param key the TOML key, e.g. {@code limits.upload_rate}, or null for a fault of the whole file
     * @param value the value as written: a String is shown quoted, a Number or Boolean bare; null for none
     * @param reason why it is refused
     */
    public ConfigException(String source, String key, Object value, String reason) {
        super(message(source, key, value, reason));
        this.source = source;
        this.key = key;
        this.value = value == null ? null : String.valueOf(value);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** A value shown as it is, unquoted: a TOML array or table in an error message. */
    record Bare(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** A bad value found while checking a whole config, before its source is known. */
    ConfigException(String key, Object value, String reason) {
        this(null, key, value, reason);
    }

    /** Where the bad value came from: a file path, {@code "override"}, or null. */
    public String source() {
        return source;
    }

    /** The TOML key, or null when the fault is not one key's (for example a TOML syntax error). */
    public String key() {
        return key;
    }

    /** The value as written, or null. */
    public String value() {
        return value;
    }

    /** Why the value is refused. */
    public String reason() {
        return reason;
    }

    private static String message(String source, String key, Object value, String reason) {
        StringBuilder m = new StringBuilder();
        if (source != null) {
            m.append(source).append(": ");
        }
        if (key != null) {
            m.append(key);
            if (value != null) {
                m.append(" = ").append(value instanceof Number || value instanceof Boolean || value instanceof Bare
                        ? value.toString() : quote(String.valueOf(value)));
            }
            m.append(": ");
        }
        return m.append(reason).toString();
    }

    /** The value as a one-line TOML string, cut short if it is long. */
    static String quote(String s) {
        String shown = s.length() > MAX_SHOWN_VALUE ? s.substring(0, MAX_SHOWN_VALUE) + "..." : s;
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < ' ' || c == 0x7f) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
