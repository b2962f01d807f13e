package dev.caravan.agent.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code caravan agent}'s TOML config file into an {@link AgentConfig}, with flag values
 * laid over it. Fails fast on the first fault with a one-line {@link ConfigException}: file,
 * key, value as written, why. Keys are {@code table.name} ({@code limits.upload_rate}); an
 * unknown key or table is an error, so that a typo cannot be silently ignored.
 *
 * <pre>{@code
 * AgentConfig config = AgentConfigLoader.load(Path.of("/etc/caravan/agent.toml"),
 *         Map.of("limits.upload_rate", "5MB"));          // e.g. from --set limits.upload_rate=5MB
 * config.checkFiles();
 * log.info("{}", config.describe());
 * }</pre>
 *
 * <p>Relative paths in the file are taken relative to the file's folder (so a config and its
 * certificates can move together); relative paths in overrides relative to the working
 * directory; a leading {@code ~/} is the user's home.
 */
public final class AgentConfigLoader {
    /** The source named in errors about override values. */
    public static final String OVERRIDE_SOURCE = "override";
    /** The source named in errors about {@link #fromSettings} values. */
    public static final String SETTINGS_SOURCE = "settings";

    private static final TomlMapper TOML = new TomlMapper();

    /** One value as written, and where: a String, or a Long for a TOML integer. */
    private record Raw(Object value, String source, Path base, boolean isDefault) {
        String text() {
            return String.valueOf(value);
        }
    }

    private final String source;
    private final Map<Setting, Raw> values = new EnumMap<>(Setting.class);

    private AgentConfigLoader(String source) {
        this.source = source;
    }

    /**
     * Loads the config file and lays {@code overrides} over it.
     *
     * @param file the TOML file (UTF-8)
     * @param overrides values that win over the file, keyed by TOML key, e.g. {@code "limits.upload_rate" -> "5MB"};
     *     each is read and checked as if written in the file
     * @throws ConfigException on the first unreadable file, TOML syntax error, unknown key, missing
     *     required key or bad value
     */
    public static AgentConfig load(Path file, Map<String, String> overrides) {
        AgentConfigLoader loader = new AgentConfigLoader(file.toString());
        loader.readToml(loader.readFile(file), file.toAbsolutePath().normalize().getParent());
        loader.override(overrides, OVERRIDE_SOURCE);
        return loader.build();
    }

    /**
     * Reads {@code toml} as {@link #load} reads a file named {@code source} in the folder
     * {@code base}, with no overrides: what the fuzz test drives without touching the disk.
     */
    static AgentConfig parse(String source, String toml, Path base) {
        AgentConfigLoader loader = new AgentConfigLoader(source);
        loader.readToml(toml, base);
        return loader.build();
    }

    /**
     * Makes a config from settings alone, with no file (for the demo and tests): the same keys,
     * defaults and checks as {@link #load}. Relative paths are relative to the working directory.
     */
    public static AgentConfig fromSettings(Map<String, String> settings) {
        AgentConfigLoader loader = new AgentConfigLoader(SETTINGS_SOURCE);
        loader.override(settings, SETTINGS_SOURCE);
        return loader.build();
    }

    /** {@code cache.dir}'s default, the same as {@code caravan get}'s: {@code $XDG_CACHE_HOME/caravan}, else {@code ~/.cache/caravan}. */
    public static Path defaultCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("caravan").toAbsolutePath().normalize();
    }

    private String readFile(Path file) {
        try {
            return Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new ConfigException(source, null, null, "not UTF-8 text (a TOML file is UTF-8)");
        } catch (NoSuchFileException e) {
            throw new ConfigException(source, null, null, "no such file");
        } catch (IOException e) {
            throw new ConfigException(source, null, null, "cannot read: " + e);
        }
    }

    private void readToml(String text, Path base) {
        JsonNode root;
        try {
            root = TOML.readTree(text);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String why = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("").strip();
            throw new ConfigException(source, null, null, "not valid TOML" + where + ": " + why);
        }
        for (Map.Entry<String, JsonNode> table : root.properties()) {
            if (!table.getValue().isObject()) {
                throw unknownKey(source, table.getKey());
            }
            if (!Setting.isTable(table.getKey())) {
                throw new ConfigException(source, null, null, "unknown table [" + table.getKey() + "]; the tables are "
                        + String.join(", ", Setting.tables()));
            }
            for (Map.Entry<String, JsonNode> entry : table.getValue().properties()) {
                String key = table.getKey() + "." + entry.getKey();
                Setting setting = Setting.byKey(key);
                if (setting == null) {
                    throw unknownKey(source, key);
                }
                values.put(setting, new Raw(fromToml(setting, entry.getValue()), source, base, false));
            }
        }
    }

    private Object fromToml(Setting setting, JsonNode node) {
        boolean integer = node.isIntegralNumber();
        if (integer && !node.canConvertToLong()) {
            throw new ConfigException(source, setting.key, new ConfigException.Bare(node.asText()), "too large");
        }
        return switch (setting.kind) {
            case TEXT -> {
                if (!node.isTextual()) {
                    throw new ConfigException(source, setting.key, shown(node), "must be a string (in quotes), not "
                            + tomlType(node));
                }
                yield node.textValue();
            }
            case QUANTITY -> {
                if (!node.isTextual() && !integer) {
                    throw new ConfigException(source, setting.key, shown(node), "must be a string such as \"20MB\""
                            + " or an integer number of bytes, not " + tomlType(node));
                }
                yield integer ? (Object) node.longValue() : node.textValue();
            }
            case COUNT -> {
                if (!integer) {
                    throw new ConfigException(source, setting.key, shown(node), "must be an integer"
                            + (node.isTextual() ? " without quotes" : ", not " + tomlType(node)));
                }
                yield node.longValue();
            }
        };
    }

    private void override(Map<String, String> overrides, String overrideSource) {
        Path workingDir = Path.of("").toAbsolutePath();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            Setting setting = Setting.byKey(e.getKey());
            if (setting == null) {
                throw unknownKey(overrideSource, e.getKey());
            }
            if (e.getValue() == null) {
                throw new ConfigException(overrideSource, e.getKey(), null, "has no value");
            }
            values.put(setting, new Raw(e.getValue(), overrideSource, workingDir, false));
        }
    }

    private AgentConfig build() {
        for (Setting s : Setting.values()) {
            if (values.containsKey(s)) {
                continue;
            }
            if (s.required) {
                throw new ConfigException(source, s.key, null, "is required but not set");
            }
            if (s.defaultText != null) {
                Object value = s.kind == Setting.Kind.COUNT ? (Object) Long.parseLong(s.defaultText) : s.defaultText;
                values.put(s, new Raw(value, source, null, true));
            } else if (s == Setting.CACHE_DIR) {
                values.put(s, new Raw(defaultCacheDir().toString(), source, null, true));
            }
        }
        try {
            return new AgentConfig(
                    url(Setting.TRACKER_URL),
                    url(Setting.ORIGIN_URL),
                    values.containsKey(Setting.ORIGIN_CA) ? Optional.of(path(Setting.ORIGIN_CA)) : Optional.empty(),
                    count(Setting.ORIGIN_CONNECTIONS),
                    duration(Setting.ORIGIN_FALLBACK_DELAY),
                    path(Setting.TRUST_ROOT),
                    path(Setting.TLS_CERTIFICATE),
                    path(Setting.TLS_KEY),
                    path(Setting.TLS_CA),
                    hostPort(Setting.PEER_LISTEN),
                    text(Setting.PEER_GROUP),
                    path(Setting.CACHE_DIR),
                    bytes(Setting.CACHE_MAX_SIZE, false),
                    duration(Setting.CACHE_MAX_AGE),
                    bytes(Setting.LIMITS_UPLOAD_RATE, true),
                    bytes(Setting.LIMITS_DOWNLOAD_RATE, true),
                    count(Setting.LIMITS_UPLOAD_SLOTS),
                    count(Setting.LIMITS_MAX_PEERS),
                    text(Setting.FOLLOW_PRODUCT),
                    text(Setting.FOLLOW_CHANNEL),
                    path(Setting.FOLLOW_INSTALL_DIR),
                    count(Setting.FOLLOW_KEEP_VERSIONS),
                    duration(Setting.FOLLOW_POLL_INTERVAL),
                    hostPort(Setting.API_LISTEN));
        } catch (ConfigException e) {
            if (e.source() != null) {
                throw e; // already names where the value came from
            }
            Setting setting = e.key() == null ? null : Setting.byKey(e.key());
            Raw raw = setting == null ? null : values.get(setting);
            if (raw == null) {
                throw new ConfigException(source, e.key(), e.value(), e.reason());
            }
            throw new ConfigException(raw.source(), e.key(), raw.value(), e.reason()
                    + (raw.isDefault() ? " (" + e.key() + " is not set; this is its default)" : ""));
        }
    }

    private String text(Setting s) {
        Raw raw = values.get(s);
        if (raw.text().isBlank()) {
            throw bad(s, raw, "must not be empty");
        }
        return raw.text();
    }

    private URI url(Setting s) {
        Raw raw = values.get(s);
        try {
            return new URI(text(s));
        } catch (URISyntaxException e) {
            throw bad(s, raw, "not a URL: " + e.getReason());
        }
    }

    private Path path(Setting s) {
        Raw raw = values.get(s);
        String text = text(s);
        try {
            Path p = text.equals("~") || text.startsWith("~/")
                    ? Path.of(System.getProperty("user.home")).resolve(text.substring(Math.min(2, text.length())))
                    : Path.of(text);
            return (raw.base() == null ? p : raw.base().resolve(p)).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw bad(s, raw, "not a path: " + e.getReason());
        }
    }

    private Duration duration(Setting s) {
        try {
            return DurationText.parse(text(s));
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw bad(s, values.get(s), e.getMessage());
        }
    }

    private long bytes(Setting s, boolean rate) {
        Raw raw = values.get(s);
        if (raw.value() instanceof Long n) {
            return n;
        }
        String text = text(s).strip();
        if (rate && text.endsWith("/s")) {
            text = text.substring(0, text.length() - 2);
        }
        try {
            return ByteSize.parse(text);
        } catch (IllegalArgumentException e) {
            throw bad(s, raw, rate ? e.getMessage().replace("not a size; write bytes", "not a rate; write bytes per second")
                    + "; 0 = unlimited" : e.getMessage());
        }
    }

    private int count(Setting s) {
        Raw raw = values.get(s);
        long n;
        if (raw.value() instanceof Long l) {
            n = l;
        } else {
            String text = text(s).strip();
            if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw bad(s, raw, "not a whole number");
            }
            n = Long.parseLong(text);
        }
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw bad(s, raw, "too large");
        }
        return (int) n;
    }

    private HostPort hostPort(Setting s) {
        try {
            return HostPort.parse(text(s).strip());
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw bad(s, values.get(s), e.getMessage());
        }
    }

    private static ConfigException bad(Setting s, Raw raw, String reason) {
        return new ConfigException(raw.source(), s.key, raw.value(), reason);
    }

    private static ConfigException unknownKey(String source, String key) {
        String hint = Setting.suggestionFor(key);
        return new ConfigException(source, null, null, "unknown key " + key
                + (hint == null ? "; docs/agent-config.md lists every key" : "; did you mean " + hint + "?"));
    }

    private static Object shown(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return new ConfigException.Bare(node.asText());
        }
        return node.isBoolean() ? (Object) node.booleanValue() : new ConfigException.Bare(node.toString());
    }

    private static String tomlType(JsonNode node) {
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isIntegralNumber()) {
            return "an integer";
        }
        if (node.isNumber()) {
            return "a float";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isObject()) {
            return "a table";
        }
        return node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
}
