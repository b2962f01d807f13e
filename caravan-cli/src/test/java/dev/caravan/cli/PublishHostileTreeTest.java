package dev.caravan.cli;

import static dev.caravan.cli.PublishAndGetTest.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan publish} of a tree holding something a release must not: each is refused with
 * exit 1 and a message naming the file and why, and the repository is left byte for byte as it
 * was (no chunk, no target, no metadata written).
 */
class PublishHostileTreeTest {
    @TempDir
    Path tmp;

    Path keys;
    Path repo;
    Path tree;
    Path outside;

    @BeforeEach
    void repository() throws Exception {
        keys = tmp.resolve("keys");
        repo = tmp.resolve("repo");
        tree = tmp.resolve("tree");
        outside = tmp.resolve("outside");
        Files.createDirectories(tree.resolve("bin"));
        Files.writeString(tree.resolve("bin/app"), "#!/bin/sh\necho app\n");
        Files.writeString(tree.resolve("README"), "the app\n");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("secret"), "not for the release\n");
        ok(Cli.run("keys", "init", "--keys", keys, "--repo", repo));
    }

    @Test
    void aSymbolicLinkPointingOutsideTheTreeIsRefused() throws Exception {
        Path link = Files.createSymbolicLink(tree.resolve("bin/config"), outside.resolve("secret"));
        assertRefused(link, "it is a symbolic link");
    }

    @Test
    void aSymbolicLinkToAFolderOutsideTheTreeIsRefused() throws Exception {
        Path link = Files.createSymbolicLink(tree.resolve("data"), outside);
        assertRefused(link, "it is a symbolic link");
    }

    @Test
    void aSymbolicLinkInsideTheTreeIsRefusedToo() throws Exception {
        // The policy: a release holds regular files only, so even a harmless link is refused.
        Path link = Files.createSymbolicLink(tree.resolve("app"), Path.of("bin/app"));
        assertRefused(link, "it is a symbolic link");
    }

    @Test
    void aFifoIsRefused() throws Exception {
        Path fifo = tree.resolve("bin/pipe");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor() == 0, "mkfifo works here");
        assertRefused(fifo, "it is a special file");
    }

    @Test
    void aUnixSocketIsRefused() throws Exception {
        Path socket = tree.resolve("control.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertRefused(socket, "it is a special file");
        }
    }

    @Test
    void aDeviceNodeIsRefused() throws Exception {
        Path device = tree.resolve("bin/null");
        assumeTrue(new ProcessBuilder("mknod", device.toString(), "c", "1", "3").inheritIO().start().waitFor() == 0,
                "mknod works (root)");
        assertRefused(device, "it is a special file");
    }

    @Test
    void twoNamesThatDifferOnlyInUnicodeNormalizationAreRefused() throws Exception {
        // The same-looking "café" twice: one code point for é, and e + combining acute accent.
        Files.writeString(tree.resolve("caf\u00e9"), "one\n");
        Files.writeString(tree.resolve("cafe\u0301"), "two\n");
        assertRefused(tree.resolve("caf\u00e9"), "once Unicode-normalized (NFC)");
    }

    @Test
    void aNameWithABackslashIsRefused() throws Exception {
        Path file = Files.writeString(tree.resolve("..\\..\\evil"), "a Windows path in one Linux name\n");
        assertRefused(file, "it has a backslash");
    }

    private void assertRefused(Path offender, String why) throws Exception {
        SortedMap<String, String> before = digestTree(repo);

        Cli publish = Cli.run("publish", "--keys", keys, "--repo", repo, "--product", "app", "--version", "1.0", tree);

        assertThat(publish.exitCode()).as(publish.toString()).isEqualTo(1);
        String firstLine = publish.err().lines().findFirst().orElse("");
        String name = tree.relativize(offender).toString();
        assertThat(firstLine).as(publish.toString()).contains(name.contains("\u0301") || name.contains("\u00e9") ? "caf" : name)
                .contains(why);
        assertThat(digestTree(repo)).as("the repository is unchanged").isEqualTo(before);
    }

    /** Every file under {@code dir} (links and special files included) with the SHA-256 of its bytes, or its kind. */
    static SortedMap<String, String> digestTree(Path dir) throws IOException {
        SortedMap<String, String> tree = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                String key = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    tree.put(key, "link to " + Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p)) {
                    tree.put(key, sha256(p));
                } else if (Files.isDirectory(p)) {
                    tree.put(key, "folder");
                } else {
                    tree.put(key, "special");
                }
            }
        }
        return tree;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
