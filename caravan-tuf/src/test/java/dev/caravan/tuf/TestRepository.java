package dev.caravan.tuf;

import dev.caravan.testkit.MutableClock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.json.CanonicalJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A real repository on disk written by {@link RepositoryWriter}, a client reading it through
 * {@code file:} URLs, and the tools of an attacker or a bad mirror: replacing files, and (for
 * attacks that assume stolen keys) signing any metadata with the publisher's keys.
 */
final class TestRepository {
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    final Path keys;
    final Path repo;
    final Path clientDir;
    final MutableClock clock = new MutableClock(START);
    final RepositoryWriter writer;

    TestRepository(Path tmp) {
        this(tmp, RepositoryConfig.defaults(), 1);
    }

    TestRepository(Path tmp, RepositoryConfig config, int rootThreshold) {
        this.keys = tmp.resolve("keys");
        this.repo = tmp.resolve("repo");
        this.clientDir = tmp.resolve("client");
        this.writer = new RepositoryWriter(config, clock);
        try {
            writer.init(keys, repo, rootThreshold);
            TufClient.init(clientDir, read("1.root.json"));
        } catch (IOException | TufException e) {
            throw new IllegalStateException(e);
        }
    }

    TufClient client() {
        return client(TufClientConfig.defaults());
    }

    TufClient client(TufClientConfig config) {
        return new TufClient(clientDir, new FileFetcher(), metadataUrl(), clock, config);
    }

    String metadataUrl() {
        return repo.resolve("metadata").toUri().toString();
    }

    String targetsUrl() {
        return repo.resolve("targets").toUri().toString();
    }

    PublishResult publish(String name, String content, String channel) throws IOException, TufException {
        ObjectNode custom = JsonNodeFactory.instance.objectNode().put("channel", channel);
        return writer.addTargets(keys, repo, Map.of(name, new NewTarget(content.getBytes(StandardCharsets.UTF_8), custom)));
    }

    Path meta(String fileName) {
        return repo.resolve("metadata").resolve(fileName);
    }

    byte[] read(String metadataFile) {
        try {
            return Files.readAllBytes(meta(metadataFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(String metadataFile, byte[] data) {
        try {
            Files.write(meta(metadataFile), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The signed object of a metadata file, to edit. */
    ObjectNode signed(String metadataFile) {
        try {
            return (ObjectNode) CanonicalJson.parse(read(metadataFile)).get("signed").deepCopy();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<SigningKey> keysOf(Role role) {
        try {
            return new KeysFolder(keys).load(role);
        } catch (IOException | TufException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs {@code signed} with the publisher's current keys of {@code role} (a stolen key). */
    byte[] signAs(Role role, JsonNode signed) {
        return Envelope.sign(signed, keysOf(role));
    }

    static String iso(Instant instant) {
        return MetadataBuilder.expires(instant);
    }

    static String iso(Duration fromStart) {
        return iso(START.plus(fromStart));
    }

    long timestampVersion() {
        return signed("timestamp.json").get("version").asLong();
    }

    /** A snapshot entry for metadata file bytes {@code file}: version, length and sha256. */
    static ObjectNode metaFile(long version, byte[] file) {
        ObjectNode m = JsonNodeFactory.instance.objectNode().put("version", version).put("length", file.length);
        m.putObject("hashes").put("sha256", Hashes.hex("SHA-256", file));
        return m;
    }

    /**
     * Writes, with the publisher's keys, new snapshot version {@code snapshotVersion} whose meta
     * is {@code meta} and a timestamp pointing at it (timestamp version: current + 1).
     */
    void writeSnapshotAndTimestamp(long snapshotVersion, ObjectNode meta) {
        ObjectNode snap = signed("timestamp.json").deepCopy();
        snap.put("_type", "snapshot");
        snap.put("version", snapshotVersion);
        snap.put("expires", iso(clock.instant().plus(Duration.ofDays(7))));
        snap.set("meta", meta);
        byte[] snapBytes = signAs(Role.SNAPSHOT, snap);
        write(snapshotVersion + ".snapshot.json", snapBytes);
        ObjectNode ts = signed("timestamp.json");
        ts.put("version", timestampVersion() + 1);
        ts.put("expires", iso(clock.instant().plus(Duration.ofDays(1))));
        ts.putObject("meta").set("snapshot.json", metaFile(snapshotVersion, snapBytes));
        write("timestamp.json", signAs(Role.TIMESTAMP, ts));
    }
}
