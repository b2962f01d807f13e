package dev.caravan.origin.server;

import dev.caravan.core.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * A small repository folder laid out as the publisher writes it, with known bytes, for origin
 * tests; and a secret file beside it that must never be served.
 */
public final class TestRepository {

    public final Path root;
    public final Path outside;
    public final byte[] timestamp = "{\"signed\":{\"_type\":\"timestamp\",\"version\":7}}".getBytes(StandardCharsets.UTF_8);
    public final byte[] root1 = "{\"signed\":{\"_type\":\"root\",\"version\":1}}".getBytes(StandardCharsets.UTF_8);
    public final byte[] chunk;
    public final Digest chunkDigest;
    public final byte[] manifest = "{\"product\":\"demo\",\"version\":\"1.0\"}".getBytes(StandardCharsets.UTF_8);
    public final Digest manifestDigest;
    public static final String SECRET = "top secret, outside the repository";

    /** Makes {@code base/repo} and {@code base/outside/secret.txt}. */
    public TestRepository(Path base) throws IOException {
        root = Files.createDirectories(base.resolve("repo"));
        outside = Files.createDirectories(base.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Files.createDirectories(root.resolve("metadata"));
        Files.write(root.resolve("metadata/timestamp.json"), timestamp);
        Files.write(root.resolve("metadata/1.root.json"), root1);
        chunk = new byte[100_000];
        new Random(42).nextBytes(chunk);
        chunkDigest = Digest.sha256(chunk);
        write(chunkPath(chunkDigest), chunk);
        manifestDigest = Digest.sha256(manifest);
        write(targetPath(), manifest);
    }

    /** {@code chunks/ab/abcd…}, relative to the root. */
    public static String chunkPath(Digest digest) {
        return "chunks/" + digest.hex().substring(0, 2) + "/" + digest.hex();
    }

    /** The manifest's consistent-snapshot target name, relative to the root. */
    public String targetPath() {
        return "targets/" + manifestDigest.hex() + ".demo-1.0.manifest.json";
    }

    /** {@code bytes} gzip-compressed, as the publisher writes a copy ({@code P.gz}). */
    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public Path write(String relative, byte[] bytes) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }
}
