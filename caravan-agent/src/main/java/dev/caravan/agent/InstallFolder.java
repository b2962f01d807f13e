package dev.caravan.agent;

import dev.caravan.core.manifest.FileEntry;
import dev.caravan.core.manifest.Manifest;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks on what the agent finds under {@code install_dir/versions} before it trusts it: a
 * symbolic link there (put by someone else: the agent makes only folders and files) could send
 * an install, or {@code current}, outside the install folder.
 */
final class InstallFolder {
    private InstallFolder() {}

    /** Refuses {@code path} if it is a symbolic link, naming it and where it points. */
    static void requireNoLink(Path path) throws IOException {
        if (Files.isSymbolicLink(path)) {
            throw new IOException("refusing to install through " + path
                    + ": it is a symbolic link (to " + Files.readSymbolicLink(path) + "), and the agent installs only"
                    + " into folders it made; remove it");
        }
    }

    /**
     * Whether {@code dir} holds exactly the manifest's files, as regular files of the right sizes,
     * and nothing else but folders: no link, no special file, no file missing or added. Sizes only,
     * not hashes: this is the cheap check that a tree marked installed was not tampered with in
     * shape; a tree that fails it is installed again, and the tree it replaces is removed without
     * following any link in it.
     */
    static boolean holdsExactly(Path dir, Manifest manifest) throws IOException {
        Map<String, Long> expected = new HashMap<>();
        for (FileEntry f : manifest.files()) {
            expected.put(f.path(), f.size());
        }
        boolean[] intact = {true};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String path = dir.relativize(file).toString();
                Long size = expected.remove(path);
                if (!attrs.isRegularFile() || size == null || size != attrs.size()) {
                    intact[0] = false;
                    return FileVisitResult.TERMINATE;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return intact[0] && expected.isEmpty();
    }
}
