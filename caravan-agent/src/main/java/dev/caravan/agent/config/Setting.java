package dev.caravan.agent.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Every key of the agent's config file, with its default as it would be written in the file
 * (null when the key is required or its default is worked out at load time). The reference for
 * users is {@code docs/agent-config.md}; a test checks that it lists exactly these keys.
 */
enum Setting {
    TRACKER_URL("tracker.url", Kind.TEXT, true, null),
    ORIGIN_URL("origin.url", Kind.TEXT, true, null),
    ORIGIN_CA("origin.ca", Kind.TEXT, false, null),
    ORIGIN_CONNECTIONS("origin.connections", Kind.COUNT, false, "4"),
    ORIGIN_FALLBACK_DELAY("origin.fallback_delay", Kind.TEXT, false, "60s"),
    TRUST_ROOT("trust.root", Kind.TEXT, true, null),
    TLS_CERTIFICATE("tls.certificate", Kind.TEXT, true, null),
    TLS_KEY("tls.key", Kind.TEXT, true, null),
    TLS_CA("tls.ca", Kind.TEXT, true, null),
    PEER_LISTEN("peer.listen", Kind.TEXT, false, "0.0.0.0:7881"),
    PEER_GROUP("peer.group", Kind.TEXT, false, "default"),
    CACHE_DIR("cache.dir", Kind.TEXT, false, null),
    CACHE_MAX_SIZE("cache.max_size", Kind.QUANTITY, false, "20GiB"),
    CACHE_MAX_AGE("cache.max_age", Kind.TEXT, false, "30d"),
    LIMITS_UPLOAD_RATE("limits.upload_rate", Kind.QUANTITY, false, "0"),
    LIMITS_DOWNLOAD_RATE("limits.download_rate", Kind.QUANTITY, false, "0"),
    LIMITS_UPLOAD_SLOTS("limits.upload_slots", Kind.COUNT, false, "4"),
    LIMITS_MAX_PEERS("limits.max_peers", Kind.COUNT, false, "50"),
    FOLLOW_PRODUCT("follow.product", Kind.TEXT, true, null),
    FOLLOW_CHANNEL("follow.channel", Kind.TEXT, false, "stable"),
    FOLLOW_INSTALL_DIR("follow.install_dir", Kind.TEXT, true, null),
    FOLLOW_KEEP_VERSIONS("follow.keep_versions", Kind.COUNT, false, "2"),
    FOLLOW_POLL_INTERVAL("follow.poll_interval", Kind.TEXT, false, "60s"),
    API_LISTEN("api.listen", Kind.TEXT, false, "127.0.0.1:7880");

    /** Which TOML types a key takes in the file (flags are always text). */
    enum Kind {
        /** A TOML string. */
        TEXT,
        /** A TOML string with a unit ({@code "20MB"}) or an integer number of bytes. */
        QUANTITY,
        /** A TOML integer. */
        COUNT
    }

    final String key;
    final Kind kind;
    final boolean required;
    final String defaultText;

    Setting(String key, Kind kind, boolean required, String defaultText) {
        this.key = key;
        this.kind = kind;
        this.required = required;
        this.defaultText = defaultText;
    }

    /** The table, e.g. {@code limits}. */
    String section() {
        return key.substring(0, key.indexOf('.'));
    }

    /** The key within its table, e.g. {@code upload_rate}. */
    String leaf() {
        return key.substring(key.indexOf('.') + 1);
    }

    static Setting byKey(String key) {
        for (Setting s : values()) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }

    /** The known key a typo most likely meant: the same name in another table, or one within two edits. */
    static String suggestionFor(String key) {
        String name = key.substring(key.indexOf('.') + 1);
        for (Setting s : Setting.values()) {
            if (s.leaf().equals(name)) {
                return s.key;
            }
        }
        String best = null;
        int bestDistance = 3;
        for (Setting s : Setting.values()) {
            int d = editDistance(key, s.key);
            if (d < bestDistance) {
                best = s.key;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    static boolean isTable(String name) {
        for (Setting s : Setting.values()) {
            if (s.section().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The tables, in the order of the file. */
    static List<String> tables() {
        List<String> tables = new ArrayList<>();
        for (Setting s : Setting.values()) {
            if (!tables.contains(s.section())) {
                tables.add(s.section());
            }
        }
        return tables;
    }
}
