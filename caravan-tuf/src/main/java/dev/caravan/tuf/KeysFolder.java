package dev.caravan.tuf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The publisher's folder of private keys, kept apart from the repository: mode 0700, one
 * PKCS#8 PEM file per key, mode 0600, named {@code root-1.pem ... root-N.pem} for root keys and
 * {@code targets.pem}, {@code snapshot.pem}, {@code timestamp.pem} (or {@code <role>-<i>.pem}
 * when a role has several keys). Rotated-out keys move to {@code retired/}.
 *
 * <p>Key material is never logged; messages name files, not their contents.
 */
final class KeysFolder {
    private final Path dir;

    KeysFolder(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** Creates the folder (0700) if needed; refuses one that already holds key files. */
    static KeysFolder create(Path dir) throws IOException {
        Files.createDirectories(dir);
        AtomicFile.setPermissions(dir, PosixFilePermissions.fromString("rwx------"));
        KeysFolder f = new KeysFolder(dir);
        for (Role r : Role.values()) {
            if (!f.files(r).isEmpty()) {
                throw new IOException("keys folder " + dir + " already holds " + r.id() + " keys; refusing to overwrite them");
            }
        }
        return f;
    }

    /** The keys of {@code role} in the folder. */
    List<SigningKey> load(Role role) throws IOException, TufException.BadFormat {
        List<SigningKey> keys = new ArrayList<>();
        for (Path p : files(role)) {
            keys.add(SigningKey.fromPem(p.getFileName().toString(), Files.readAllBytes(p)));
        }
        return keys;
    }

    /** Writes the key files of {@code role} (0600) into {@code into} (this folder or a staging one). */
    static void write(Path into, Role role, List<SigningKey> keys) throws IOException {
        Files.createDirectories(into);
        for (int i = 0; i < keys.size(); i++) {
            String name = role == Role.ROOT || keys.size() > 1 ? role.id() + "-" + (i + 1) + ".pem" : role.id() + ".pem";
            AtomicFile.write(into.resolve(name), keys.get(i).toPem().getBytes(StandardCharsets.US_ASCII), AtomicFile.OWNER_ONLY);
        }
    }

    void write(Role role, List<SigningKey> keys) throws IOException {
        write(dir, role, keys);
    }

    /**
     * Replaces the keys of {@code role} with the files staged in {@code staging}: the old files
     * move to {@code retired/<label>/}, then the staged ones move in.
     */
    void replace(Role role, Path staging, String label) throws IOException {
        Path retired = dir.resolve("retired").resolve(label);
        Files.createDirectories(retired);
        AtomicFile.setPermissions(dir.resolve("retired"), PosixFilePermissions.fromString("rwx------"));
        for (Path old : files(role)) {
            AtomicFile.move(old, retired.resolve(old.getFileName()));
        }
        try (DirectoryStream<Path> staged = Files.newDirectoryStream(staging)) {
            for (Path p : staged) {
                AtomicFile.move(p, dir.resolve(p.getFileName()));
            }
        }
        Files.delete(staging);
    }

    /**
     * Finishes or undoes a key rotation that stopped half-way: keys staged for a role move into
     * place if {@code root} (the repository's newest) already lists them, else they are deleted
     * (the new root was never written, so nothing trusts them).
     */
    void recover(RootMetadata root) throws IOException, TufException {
        for (Role role : Role.values()) {
            Path staging = staging(role);
            if (!Files.isDirectory(staging)) {
                continue;
            }
            List<String> staged = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(staging)) {
                for (Path p : ds) {
                    staged.add(SigningKey.fromPem(p.getFileName().toString(), Files.readAllBytes(p)).keyid());
                }
            }
            if (!staged.isEmpty() && root.role(role).keyids().containsAll(staged)) {
                replace(role, staging, "root-v" + root.version());
            } else {
                deleteTree(staging);
            }
        }
    }

    /** Where the new keys of {@code role} wait while a rotation writes the new root. */
    Path staging(Role role) {
        return dir.resolve(".staged-" + role.id());
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }

    List<Path> files(Role role) throws IOException {
        Pattern name = Pattern.compile(Pattern.quote(role.id()) + "(-\\d+)?\\.pem");
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p) && name.matcher(p.getFileName().toString()).matches()) {
                    out.add(p);
                }
            }
        }
        out.sort(null);
        return out;
    }
}
