package dev.caravan.agent;

import dev.caravan.core.Digest;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.core.manifest.ChunkInfo;
import dev.caravan.core.manifest.Manifest;
import dev.caravan.core.manifest.ManifestFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an agent's chunk cache within its {@link CachePolicy}: chunks that a kept release needs
 * stay; the others go once unused for {@code maxAge}, and oldest first while the cache is over
 * {@code maxSizeBytes}.
 *
 * <p>To know which chunks a release needs after a restart, the agent shelves each release's
 * manifest (the bytes as published, checked against their SHA-256 when read back) in
 * {@code <cache>/manifests/<digest>.json} before it fetches it. When a release stops being kept,
 * the chunks only it needed have their modification time set to that moment — from then on they
 * are unused — and its manifest leaves the shelf. A chunk's age is the time since its
 * modification time: since it was stored, or since the last release that needed it was dropped.
 * If a kept release's manifest is not on the shelf (installed by an agent before this one), no
 * chunk is evicted at all: better a full cache than a release that cannot be seeded or restored.
 */
final class CacheEviction {
    static final String MANIFESTS = "manifests";
    private static final Logger log = LoggerFactory.getLogger(CacheEviction.class);
    private static final Pattern CHUNK = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHELVED = Pattern.compile("[0-9a-f]{64}\\.json");

    /**
     * What a pass did.
     *
     * @param evicted chunks removed
     * @param bytesEvicted their bytes
     * @param bytesKept the bytes of chunks left in the cache
     * @param neededBytes the bytes of chunks the kept releases need, which are never evicted
     */
    record Result(int evicted, long bytesEvicted, long bytesKept, long neededBytes) {}

    private final ChunkStore store;
    private final Path shelf;
    private final CachePolicy policy;
    private final Clock clock;

    CacheEviction(ChunkStore store, Path cacheDir, CachePolicy policy, Clock clock) {
        this.store = store;
        this.shelf = cacheDir.resolve(MANIFESTS);
        this.policy = policy;
        this.clock = clock;
    }

    /** Shelves {@code manifest} (atomically, once), so that its chunks count as needed while it is kept. */
    void remember(ManifestFile manifest) throws IOException {
        Path file = shelf.resolve(manifest.digest().hex() + ".json");
        if (Files.exists(file)) {
            return;
        }
        Files.createDirectories(shelf);
        Path temp = shelf.resolve("." + file.getFileName() + ".tmp");
        Files.write(temp, manifest.json());
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * One pass: forgets the shelved releases not in {@code kept}, then evicts what the policy says.
     * Returns null, evicting nothing, if a kept release's manifest is not on the shelf.
     */
    Result evict(Set<Digest> kept) throws IOException {
        Set<Digest> needed = new HashSet<>();
        for (Digest release : kept) {
            Manifest manifest = shelved(release);
            if (manifest == null) {
                log.warn("cache {}: nothing evicted, since the manifest of a kept release ({}) is not in {}",
                        store.root(), release.shortHex(), shelf);
                return null;
            }
            manifest.distinctChunks().forEach(c -> needed.add(c.digest()));
        }
        forgetDropped(kept, needed);

        Instant now = clock.instant();
        Instant cutoff = now.minus(policy.maxAge());
        List<Stored> evictable = new ArrayList<>();
        long total = 0;
        long neededBytes = 0;
        for (Stored s : storedChunks()) {
            total += s.bytes;
            if (needed.contains(s.digest)) {
                neededBytes += s.bytes;
            } else {
                evictable.add(s);
            }
        }
        evictable.sort(Comparator.comparing(Stored::lastUsed));
        int evicted = 0;
        long bytesEvicted = 0;
        for (Stored s : evictable) {
            if (!s.lastUsed.isBefore(cutoff) && total <= policy.maxSizeBytes()) {
                break; // the rest are younger still, and the cache is within its size
            }
            if (store.delete(s.digest)) {
                evicted++;
                bytesEvicted += s.bytes;
                total -= s.bytes;
            }
        }
        if (total > policy.maxSizeBytes()) {
            log.warn("cache {}: the kept releases need {} bytes, more than cache.max_size ({} bytes)", store.root(),
                    neededBytes, policy.maxSizeBytes());
        }
        if (evicted > 0) {
            log.info("cache {}: evicted {} chunks ({} bytes) no kept release needs; {} bytes left", store.root(), evicted,
                    bytesEvicted, total);
        }
        return new Result(evicted, bytesEvicted, total, neededBytes);
    }

    /** The shelved manifest, checked against its name; null if it is not there. */
    private Manifest shelved(Digest release) throws IOException {
        byte[] json;
        try {
            json = Files.readAllBytes(shelf.resolve(release.hex() + ".json"));
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!Digest.sha256(json).equals(release)) {
            Files.deleteIfExists(shelf.resolve(release.hex() + ".json"));
            log.warn("cache {}: the shelved manifest {} did not match its name; removed it", store.root(), release.shortHex());
            return null;
        }
        return Manifest.parse(json);
    }

    /** Marks the chunks only dropped releases needed as unused from now, then takes those releases off the shelf. */
    private void forgetDropped(Set<Digest> kept, Set<Digest> needed) throws IOException {
        if (!Files.isDirectory(shelf)) {
            return;
        }
        List<Path> dropped = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(shelf, p -> SHELVED.matcher(p.getFileName().toString()).matches())) {
            for (Path p : files) {
                String hex = p.getFileName().toString().substring(0, 64);
                if (!kept.contains(Digest.parse(hex))) {
                    dropped.add(p);
                }
            }
        }
        FileTime now = FileTime.from(clock.instant());
        for (Path p : dropped) {
            Manifest manifest;
            try {
                manifest = Manifest.parse(Files.readAllBytes(p));
            } catch (IOException e) {
                Files.deleteIfExists(p); // unreadable: its chunks simply age from when they were stored
                continue;
            }
            for (ChunkInfo c : manifest.distinctChunks()) {
                if (!needed.contains(c.digest()) && store.has(c.digest())) {
                    try {
                        Files.setLastModifiedTime(store.path(c.digest()), now);
                    } catch (NoSuchFileException e) {
                        // evicted meanwhile
                    }
                }
            }
            Files.deleteIfExists(p);
        }
    }

    private record Stored(Digest digest, long bytes, Instant lastUsed) {}

    private List<Stored> storedChunks() throws IOException {
        List<Stored> chunks = new ArrayList<>();
        Path root = store.root();
        if (!Files.isDirectory(root)) {
            return chunks;
        }
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root, p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
            for (Path folder : folders) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, p -> CHUNK.matcher(p.getFileName().toString()).matches())) {
                    for (Path f : files) {
                        try {
                            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                            chunks.add(new Stored(Digest.parse(f.getFileName().toString()), a.size(), a.lastModifiedTime().toInstant()));
                        } catch (NoSuchFileException e) {
                            // removed meanwhile
                        }
                    }
                }
            }
        }
        return chunks;
    }
}
