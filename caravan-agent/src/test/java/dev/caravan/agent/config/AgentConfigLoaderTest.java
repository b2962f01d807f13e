package dev.caravan.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigLoaderTest {
    private static final String FULL = """
            [tracker]
            url = "https://tracker.example:7443"

            [origin]
            url = "https://origin.example/caravan"
            ca = "/etc/caravan/origin-ca.pem"
            connections = 8
            fallback_delay = "90s"

            [trust]
            root = "/etc/caravan/1.root.json"

            [tls]
            certificate = "/etc/caravan/agent.crt"
            key = "/etc/caravan/agent.key"
            ca = "/etc/caravan/ca.crt"

            [peer]
            listen = "[::]:7000"
            group = "branch-12"

            [cache]
            dir = "/var/cache/caravan"
            max_size = "256MiB"
            max_age = "12h"

            [limits]
            upload_rate = "10MB"
            download_rate = "1.5GB/s"
            upload_slots = 6
            max_peers = 30

            [follow]
            product = "myapp"
            channel = "beta"
            install_dir = "/opt/myapp"
            keep_versions = 3
            poll_interval = "5m"

            [api]
            listen = "127.0.0.1:9000"
            """;

    /** The required keys only, with paths relative to the file. */
    private static final String MINIMAL = """
            [tracker]
            url = "https://tracker.example:7443"
            [origin]
            url = "http://origin.example:8080"
            [trust]
            root = "1.root.json"
            [tls]
            certificate = "certs/agent.crt"
            key = "certs/agent.key"
            ca = "certs/ca.crt"
            [follow]
            product = "myapp"
            install_dir = "/opt/myapp"
            """;

    @TempDir
    Path dir;

    @Test
    void fullFileLoadsToTheExpectedRecord() throws IOException {
        AgentConfig config = AgentConfigLoader.load(write(FULL), Map.of());

        assertThat(config).isEqualTo(new AgentConfig(
                URI.create("https://tracker.example:7443"),
                URI.create("https://origin.example/caravan"),
                Optional.of(Path.of("/etc/caravan/origin-ca.pem")),
                8,
                Duration.ofSeconds(90),
                Path.of("/etc/caravan/1.root.json"),
                Path.of("/etc/caravan/agent.crt"),
                Path.of("/etc/caravan/agent.key"),
                Path.of("/etc/caravan/ca.crt"),
                new HostPort("::", 7000),
                "branch-12",
                Path.of("/var/cache/caravan"),
                256L << 20,
                Duration.ofHours(12),
                10_000_000L,
                1_500_000_000L,
                6,
                30,
                "myapp",
                "beta",
                Path.of("/opt/myapp"),
                3,
                Duration.ofMinutes(5),
                new HostPort("127.0.0.1", 9000)));
    }

    @Test
    void missingOptionalKeysTakeTheirDocumentedDefaults() throws IOException {
        AgentConfig config = AgentConfigLoader.load(write(MINIMAL), Map.of());

        assertThat(config.originCa()).isEmpty();
        assertThat(config.originConnections()).isEqualTo(4);
        assertThat(config.originFallbackDelay()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.peerListen()).isEqualTo(new HostPort("0.0.0.0", 7881));
        assertThat(config.peerGroup()).isEqualTo("default");
        assertThat(config.cacheDir()).isEqualTo(AgentConfigLoader.defaultCacheDir());
        assertThat(config.cacheMaxSizeBytes()).isEqualTo(20L << 30);
        assertThat(config.cacheMaxAge()).isEqualTo(Duration.ofDays(30));
        assertThat(config.uploadRateBytesPerSecond()).isZero();
        assertThat(config.downloadRateBytesPerSecond()).isZero();
        assertThat(config.uploadSlots()).isEqualTo(4);
        assertThat(config.maxPeers()).isEqualTo(50);
        assertThat(config.channel()).isEqualTo("stable");
        assertThat(config.keepVersions()).isEqualTo(2);
        assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.apiListen()).isEqualTo(new HostPort("127.0.0.1", 7880));
    }

    @Test
    void relativePathsInTheFileAreNextToTheFile() throws IOException {
        AgentConfig config = AgentConfigLoader.load(write(MINIMAL), Map.of());

        assertThat(config.trustedRoot()).isEqualTo(dir.resolve("1.root.json").toAbsolutePath());
        assertThat(config.tlsKey()).isEqualTo(dir.resolve("certs/agent.key").toAbsolutePath());
    }

    @Test
    void aTildeIsTheHomeFolder() throws IOException {
        AgentConfig config = AgentConfigLoader.load(write(MINIMAL), Map.of("cache.dir", "~/caravan-cache"));
        assertThat(config.cacheDir()).isEqualTo(Path.of(System.getProperty("user.home"), "caravan-cache").toAbsolutePath());
    }

    @Test
    void overridesWinOverTheFile() throws IOException {
        AgentConfig config = AgentConfigLoader.load(write(FULL), Map.of(
                "limits.upload_rate", "5MB",
                "limits.upload_slots", "2",
                "peer.group", "hq",
                "tls.key", "/run/secrets/agent.key",
                "cache.max_age", "7d"));

        assertThat(config.uploadRateBytesPerSecond()).isEqualTo(5_000_000L);
        assertThat(config.uploadSlots()).isEqualTo(2);
        assertThat(config.peerGroup()).isEqualTo("hq");
        assertThat(config.tlsKey()).isEqualTo(Path.of("/run/secrets/agent.key"));
        assertThat(config.cacheMaxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(config.downloadRateBytesPerSecond()).isEqualTo(1_500_000_000L); // untouched
    }

    @Test
    void overridesCanSupplyARequiredKey() throws IOException {
        String withoutProduct = MINIMAL.replace("product = \"myapp\"\n", "");
        assertThatThrownBy(() -> AgentConfigLoader.load(write(withoutProduct), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(dir.resolve("agent.toml") + ": follow.product: is required but not set");

        assertThat(AgentConfigLoader.load(write(withoutProduct), Map.of("follow.product", "other")).product())
                .isEqualTo("other");
    }

    @Test
    void aBadOverrideIsNamedAsAnOverride() throws IOException {
        Path file = write(FULL);
        assertThatThrownBy(() -> AgentConfigLoader.load(file, Map.of("limits.upload_rate", "5XB")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("override: limits.upload_rate = \"5XB\": not a rate");
        assertThatThrownBy(() -> AgentConfigLoader.load(file, Map.of("limits.upload_slots", "many")))
                .hasMessage("override: limits.upload_slots = \"many\": not a whole number");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            tracker.url           | '"http://tracker.example:7443"' | must be an https:// URL
            tracker.url           | '"https://tracker.example/v1/announce"' | the path is fixed
            tracker.url           | '"tracker.example:7443"'  | must be an https:// URL
            origin.url            | '"ftp://origin.example"'  | must be an http:// or https:// URL
            origin.url            | '"http://origin example"' | not a URL
            origin.connections    | 0                         | must be from 1 to 64
            origin.connections    | '"4"'                     | must be an integer without quotes
            origin.fallback_delay | '"60"'                    | not a duration
            origin.fallback_delay | '"1 week"'                | not a duration
            peer.listen           | '"0.0.0.0"'               | expected HOST:PORT
            peer.listen           | '"0.0.0.0:70000"'         | port must be from 0 to 65535
            peer.listen           | '"::1:7881"'              | an IPv6 address needs brackets
            peer.group            | '"Branch 12"'             | a group is 1 to 64 characters
            cache.max_size        | '"20 gigs"'               | not a size
            cache.max_size        | 20                        | must be at least 1MiB (did you forget a unit?
            cache.max_size        | '"0.5B"'                  | not a whole number of bytes
            cache.max_age         | '"0d"'                    | must be positive
            cache.max_age         | true                      | must be a string (in quotes), not a boolean
            limits.upload_rate    | '"10 MBs"'                | not a rate; write bytes per second
            limits.upload_rate    | '"-5MB"'                  | not a rate
            limits.upload_rate    | 10                        | is below 1KiB/s; did you forget a unit?
            limits.upload_rate    | '"10KiB"'                 | is below 16KiB/s: peers cut off a connection that moves less than 8KiB/s
            limits.upload_rate    | 1.5                       | or an integer number of bytes, not a float
            limits.download_rate  | '"99999999999TB"'         | too large
            limits.upload_slots   | 0                         | must be from 1 to 256
            limits.upload_slots   | 9999999999                | too large
            limits.max_peers      | 2                         | must be at least limits.upload_slots (6)
            follow.product        | '"My App"'                | a product is 1 to 64 characters
            follow.product        | '""'                      | must not be empty
            follow.channel        | '"-beta"'                 | a channel is 1 to 64 characters
            follow.install_dir    | '"/var/cache/caravan/install"' | must be outside cache.dir
            follow.install_dir    | '"/var"'                  | must be outside cache.dir
            follow.keep_versions  | 0                         | must be from 1 to 100
            follow.poll_interval  | '"500ms"'                 | must be at least 1s
            api.listen            | '"127.0.0.1:7000"'        | uses the same port as peer.listen
            trust.root            | '["a", "b"]'              | must be a string (in quotes), not an array
            """)
    void aBadValueIsRefusedNamingFileKeyAndValue(String key, String tomlValue, String why) throws IOException {
        Path file = write(with(key, tomlValue));

        assertThatThrownBy(() -> AgentConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> {
                    ConfigException c = (ConfigException) e;
                    assertThat(c.source()).isEqualTo(file.toString());
                    assertThat(c.key()).isEqualTo(key);
                    assertThat(c.getMessage())
                            .startsWith(file + ": " + key + " = ")
                            .contains(why)
                            .doesNotContain("\n");
                });
    }

    @Test
    void theMessageShowsTheValueAsWritten() throws IOException {
        Path file = write(with("limits.upload_rate", "\"10 MBs\""));
        assertThatThrownBy(() -> AgentConfigLoader.load(file, Map.of()))
                .hasMessage(file + ": limits.upload_rate = \"10 MBs\": not a rate; write bytes per second as 4096,"
                        + " 20MB or 256MiB (suffixes kB, MB, GB, TB, KiB, MiB, GiB, TiB); 0 = unlimited");
    }

    @Test
    void aDefaultThatClashesIsNamedAsTheDefault() throws IOException {
        Path file = write(MINIMAL + "[limits]\nupload_slots = 60\n");
        assertThatThrownBy(() -> AgentConfigLoader.load(file, Map.of()))
                .hasMessage(file + ": limits.max_peers = 50: must be at least limits.upload_slots (60), or some"
                        + " upload slots could never be used (limits.max_peers is not set; this is its default)");
    }

    @Test
    void anOriginCaWithAPlainHttpOriginIsRefused() throws IOException {
        Path file = write(MINIMAL.replace("url = \"http://origin.example:8080\"",
                "url = \"http://origin.example:8080\"\nca = \"/etc/ca.pem\""));
        assertThatThrownBy(() -> AgentConfigLoader.load(file, Map.of()))
                .hasMessage(file + ": origin.ca = \"/etc/ca.pem\": only an https origin uses a CA, and origin.url is"
                        + " http://origin.example:8080");
    }

    @Test
    void anUnknownKeyIsRefusedWithASuggestion() throws IOException {
        Path file = write(FULL.replace("upload_rate =", "uplod_rate ="));
        assertThatThrownBy(() -> AgentConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": unknown key limits.uplod_rate; did you mean limits.upload_rate?");
    }

    @Test
    void aKeyInTheWrongTableIsRefusedNamingTheRightOne() throws IOException {
        Path file = write(FULL.replace("group = \"branch-12\"", "group = \"branch-12\"\nupload_rate = \"1MB\""));
        assertThatThrownBy(() -> AgentConfigLoader.load(file, Map.of()))
                .hasMessage(file + ": unknown key peer.upload_rate; did you mean limits.upload_rate?");
    }

    @Test
    void unknownTablesAndTopLevelKeysAreRefused() throws IOException {
        Path table = write(FULL + "\n[tracer]\nurl = \"x\"\n");
        assertThatThrownBy(() -> AgentConfigLoader.load(table, Map.of()))
                .hasMessage(table + ": unknown table [tracer]; the tables are tracker, origin, trust, tls, peer,"
                        + " cache, limits, follow, api");

        Path topLevel = write("group = \"branch-12\"\n" + FULL);
        assertThatThrownBy(() -> AgentConfigLoader.load(topLevel, Map.of()))
                .hasMessage(topLevel + ": unknown key group; did you mean peer.group?");

        Path nothingLike = write(FULL.replace("[api]", "[api]\nzzzzzz = 1"));
        assertThatThrownBy(() -> AgentConfigLoader.load(nothingLike, Map.of()))
                .hasMessage(nothingLike + ": unknown key api.zzzzzz; docs/agent-config.md lists every key");
    }

    @Test
    void anUnknownOverrideKeyIsRefused() throws IOException {
        Path file = write(FULL);
        assertThatThrownBy(() -> AgentConfigLoader.load(file, Map.of("limits.upload-rate", "5MB")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("override: unknown key limits.upload-rate; did you mean limits.upload_rate?");
    }

    @Test
    void invalidTomlNamesTheLine() throws IOException {
        Path file = write("[tracker]\nurl = \"https://tracker.example\"\nthis is not toml\n");
        assertThatThrownBy(() -> AgentConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": not valid TOML at line 3")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aDuplicateKeyIsRefused() throws IOException {
        Path file = write(FULL.replace("upload_slots = 6", "upload_slots = 6\nupload_slots = 7"));
        assertThatThrownBy(() -> AgentConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": not valid TOML");
    }

    @Test
    void aMissingOrNonUtf8FileIsRefused() throws IOException {
        Path missing = dir.resolve("nope.toml");
        assertThatThrownBy(() -> AgentConfigLoader.load(missing, Map.of()))
                .hasMessage(missing + ": no such file");

        Path latin1 = dir.resolve("latin1.toml");
        Files.write(latin1, "[peer]\ngroup = \"caf\u00e9\"\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> AgentConfigLoader.load(latin1, Map.of()))
                .hasMessage(latin1 + ": not UTF-8 text (a TOML file is UTF-8)");
    }

    @Test
    void describeIsTomlThatLoadsBackToTheSameConfig() throws IOException {
        AgentConfig config = AgentConfigLoader.load(write(FULL), Map.of());

        String described = config.describe();
        Path again = dir.resolve("described.toml");
        Files.writeString(again, described);

        assertThat(AgentConfigLoader.load(again, Map.of())).isEqualTo(config);
        assertThat(described)
                .contains("upload_rate = \"10MB\"  # 10000000 bytes/s")
                .contains("max_size = \"256MiB\"  # 268435456 bytes")
                .contains("key = \"/etc/caravan/agent.key\"");
    }

    @Test
    void describeOfDefaultsLoadsBackToo() throws IOException {
        AgentConfig config = AgentConfigLoader.load(write(MINIMAL), Map.of());
        Path again = dir.resolve("described.toml");
        Files.writeString(again, config.describe());

        assertThat(AgentConfigLoader.load(again, Map.of())).isEqualTo(config);
        assertThat(config.describe()).contains("# ca not set: the JDK's trust store", "upload_rate = \"0\"  # unlimited");
    }

    @Test
    void describeNeverShowsKeyMaterial() throws IOException {
        Path keyFile = dir.resolve("agent.key");
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\nTOPSECRET\n-----END PRIVATE KEY-----\n");
        AgentConfig config = AgentConfigLoader.load(write(FULL), Map.of("tls.key", keyFile.toString()));

        assertThat(config.describe()).contains(keyFile.toString()).doesNotContain("TOPSECRET", "BEGIN");
        assertThat(config.toString()).doesNotContain("TOPSECRET", "BEGIN");
    }

    @Test
    void checkFilesNamesTheFirstMissingFile() throws IOException {
        for (String name : new String[] {"1.root.json", "certs/agent.crt", "certs/ca.crt"}) {
            Files.createDirectories(dir.resolve(name).getParent());
            Files.writeString(dir.resolve(name), "x");
        }
        AgentConfig config = AgentConfigLoader.load(write(MINIMAL), Map.of());

        assertThatThrownBy(config::checkFiles)
                .isInstanceOf(ConfigException.class)
                .hasMessage("tls.key = \"" + dir.resolve("certs/agent.key").toAbsolutePath() + "\": no such file");

        Files.writeString(dir.resolve("certs/agent.key"), "x");
        config.checkFiles();
    }

    @Test
    void fromSettingsNeedsNoFile() {
        AgentConfig config = AgentConfigLoader.fromSettings(Map.of(
                "tracker.url", "https://127.0.0.1:7443",
                "origin.url", "http://127.0.0.1:8080",
                "trust.root", "/tmp/demo/1.root.json",
                "tls.certificate", "/tmp/demo/agent-1.crt",
                "tls.key", "/tmp/demo/agent-1.key",
                "tls.ca", "/tmp/demo/ca.crt",
                "follow.product", "demo",
                "follow.install_dir", "/tmp/demo/agent-1/install",
                "peer.listen", "127.0.0.1:0",
                "limits.upload_rate", "10MB/s"));

        assertThat(config.uploadRateBytesPerSecond()).isEqualTo(10_000_000L);
        assertThat(config.peerListen()).isEqualTo(new HostPort("127.0.0.1", 0));
        assertThatThrownBy(() -> AgentConfigLoader.fromSettings(Map.of("tracker.url", "https://t")))
                .hasMessage("settings: origin.url: is required but not set");
    }

    private Path write(String toml) throws IOException {
        Path file = dir.resolve("agent.toml");
        Files.writeString(file, toml);
        return file;
    }

    /** FULL with one key's value replaced (or added) by a TOML literal. */
    private static String with(String key, String tomlValue) {
        String table = key.substring(0, key.indexOf('.'));
        String name = key.substring(key.indexOf('.') + 1);
        StringBuilder out = new StringBuilder();
        String current = "";
        boolean done = false;
        for (String line : FULL.split("\n", -1)) {
            if (line.startsWith("[")) {
                current = line.substring(1, line.indexOf(']'));
            }
            if (current.equals(table) && line.startsWith(name + " =")) {
                out.append(name).append(" = ").append(tomlValue).append('\n');
                done = true;
                continue;
            }
            out.append(line).append('\n');
        }
        if (!done) {
            throw new IllegalArgumentException("FULL has no " + key);
        }
        return out.toString();
    }
}
