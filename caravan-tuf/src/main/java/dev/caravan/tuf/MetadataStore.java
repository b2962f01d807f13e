package dev.caravan.tuf;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The client's metadata folder: the trusted copy of each role's metadata as FILENAME.EXT
 * ({@code root.json}, {@code timestamp.json}, {@code snapshot.json}, {@code targets.json},
 * {@code <role>.json} for delegated roles, the name percent-encoded), holding exactly the bytes
 * received and written atomically (tuf-spec 5.3.8, 5.4.5, 5.5.7, 5.6.6).
 */
final class MetadataStore {
    private final Path dir;

    MetadataStore(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** The stored bytes of role {@code roleName}'s metadata, or {@code null} if none is stored. */
    byte[] read(String roleName) throws IOException {
        try {
            return Files.readAllBytes(file(roleName));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    void write(String roleName, byte[] data) throws IOException {
        AtomicFile.write(file(roleName), data);
    }

    void delete(String roleName) throws IOException {
        Files.deleteIfExists(file(roleName));
    }

    Path file(String roleName) {
        return dir.resolve(encode(roleName) + ".json");
    }

    /** A role name as one safe path segment or URL segment: percent-encoded UTF-8, spaces as %20. */
    static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
