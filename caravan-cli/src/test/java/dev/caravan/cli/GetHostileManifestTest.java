package dev.caravan.cli;

import static dev.caravan.cli.PublishAndGetTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.json.CanonicalJson;
import dev.caravan.origin.server.OriginConfig;
import dev.caravan.origin.server.OriginServer;
import dev.caravan.tuf.NewTarget;
import dev.caravan.tuf.RepositoryConfig;
import dev.caravan.tuf.RepositoryWriter;
import dev.caravan.tuf.TargetInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan get} of a release whose manifest is hostile but validly signed — the threat is a
 * stolen targets key or a compromised build machine. The manifest reuses the real chunks of a
 * published release, so that without the checks its files would really be written. Each get is
 * refused with exit 1 and a message naming the path and why; nothing is written under
 * {@code --out}, beside it or outside it.
 */
class GetHostileManifestTest {
    @TempDir
    Path tmp;

    Path keys;
    Path repo;
    Path install;
    Path out;
    ObjectNode genuine;

    @BeforeEach
    void publish() throws Exception {
        keys = tmp.resolve("keys");
        repo = tmp.resolve("repo");
        install = tmp.resolve("install");
        out = install.resolve("app");
        Path source = tmp.resolve("source");
        Files.createDirectories(source);
        Files.writeString(source.resolve("a"), "the first file\n");
        Files.writeString(source.resolve("b"), "the second file\n");
        ok(Cli.run("keys", "init", "--keys", keys, "--repo", repo));
        ok(Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "1.0", source));
        TargetInfo published = RepositoryWriter.targets(repo).get("app-1.0.manifest.json");
        genuine = (ObjectNode) CanonicalJson.parse(Files.readAllBytes(RepositoryWriter.targetFile(repo, published)));
        Files.createDirectories(install);
    }

    @Test
    void aDotDotPathIsRefused() throws Exception {
        assertRefused(m -> file(m, 0).put("path", "../escaped"), "\"../escaped\": it has a \"..\" segment",
                install.resolve("escaped"));
    }

    @Test
    void aDotDotPathDeeperDownIsRefused() throws Exception {
        assertRefused(m -> file(m, 1).put("path", "b/../../escaped"), "\"b/../../escaped\": it has a \"..\" segment",
                install.resolve("escaped"));
    }

    @Test
    void anAbsolutePathIsRefused() throws Exception {
        Path target = tmp.resolve("absolute-target");
        assertRefused(m -> file(m, 0).put("path", target.toString()), "\"" + target + "\": it is absolute", target);
    }

    @Test
    void aDuplicateNameIsRefused() throws Exception {
        assertRefused(m -> file(m, 1).put("path", "a"), "\"a\": it appears twice", null);
    }

    @Test
    void twoNamesThatDifferOnlyInUnicodeNormalizationAreRefused() throws Exception {
        assertRefused(m -> {
            file(m, 0).put("path", "cafe\u0301");
            file(m, 1).put("path", "caf\u00e9");
        }, "\"caf\u00e9\": it is the same name as \"cafe\u0301\" once Unicode-normalized (NFC)", null);
    }

    @Test
    void aFileThatIsAlsoAFolderIsRefused() throws Exception {
        assertRefused(m -> {
            file(m, 0).put("path", "x");
            file(m, 1).put("path", "x/y");
        }, "\"x\": it is a file and also the folder of \"x/y\"", null);
    }

    @Test
    void aSymbolicLinkModeIsRefused() throws Exception {
        // S_IFLNK | 0755: what a manifest would say to make an installer create a link
        assertRefused(m -> file(m, 0).put("mode", 0120755), "has mode 0120755; a release file's mode is 0644 or 0755", null);
    }

    @Test
    void aFifoModeIsRefused() throws Exception {
        assertRefused(m -> file(m, 0).put("mode", 010644), "has mode 010644; a release file's mode is 0644 or 0755", null);
    }

    @Test
    void aSetUidModeIsRefused() throws Exception {
        assertRefused(m -> file(m, 0).put("mode", 04755), "has mode 04755; a release file's mode is 0644 or 0755", null);
    }

    private static ObjectNode file(ObjectNode manifest, int index) {
        return (ObjectNode) ((ArrayNode) manifest.get("files")).get(index);
    }

    /** Signs the genuine manifest, changed by {@code change}, as app 2.0 and gets it. */
    private void assertRefused(Consumer<ObjectNode> change, String why, Path escapeTarget) throws Exception {
        ObjectNode hostile = genuine.deepCopy();
        hostile.put("version", "2.0");
        change.accept(hostile);
        ObjectNode custom = JsonNodeFactory.instance.objectNode().put("product", "app").put("version", "2.0")
                .put("channel", "stable");
        new RepositoryWriter(RepositoryConfig.defaults(), Clock.systemUTC()).addTargets(keys, repo,
                Map.of("app-2.0.manifest.json", new NewTarget(CanonicalJson.encode(hostile), custom)));
        SortedMap<String, String> outside = PublishHostileTreeTest.digestTree(tmp.resolve("keys"));

        try (OriginServer origin = new OriginServer(OriginConfig.plain(repo, "127.0.0.1", 0))) {
            Cli get = Cli.run("get", "--origin", "http://127.0.0.1:" + origin.start().getPort(),
                    "--trusted-root", repo.resolve("metadata/1.root.json"), "--product", "app", "--version", "2.0",
                    "--out", out, "--cache", tmp.resolve("cache"));

            assertThat(get.exitCode()).as(get.toString()).isEqualTo(1);
            assertThat(get.err()).as(get.toString()).contains(why);
        }
        assertThat(out).doesNotExist();
        try (Stream<Path> list = Files.list(install)) {
            assertThat(list.toList()).as("nothing beside --out: no staging folder, no escaped file").isEmpty();
        }
        if (escapeTarget != null) {
            assertThat(escapeTarget).doesNotExist();
        }
        assertThat(PublishHostileTreeTest.digestTree(tmp.resolve("keys"))).isEqualTo(outside);
    }
}
