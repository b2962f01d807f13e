package dev.caravan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.core.Digest;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.core.manifest.ChunkInfo;
import dev.caravan.core.manifest.ChunkSlice;
import dev.caravan.core.manifest.FileEntry;
import dev.caravan.core.manifest.Manifest;
import dev.caravan.core.manifest.ManifestFile;
import dev.caravan.testkit.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunk cache keeps what kept releases need, and lets the rest go by age and by size. */
class CacheEvictionTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path cache;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
    private ChunkStore store;

    @BeforeEach
    void openStore() throws IOException {
        store = new ChunkStore(cache.resolve("chunks"));
    }

    @Test
    void overItsSizeTheCacheEvictsTheOldestChunksNoKeptReleaseNeedsAndNoneThatOneNeeds() throws IOException {
        Manifest kept = release("2.0", 1, 2);
        List<Digest> strays = List.of(stored(3, "2026-11-01T00:00:00Z"), stored(4, "2026-11-20T00:00:00Z"),
                stored(5, "2026-11-24T00:00:00Z"));
        age(kept, "2026-10-01T00:00:00Z"); // older than every stray: age alone does not decide
        CacheEviction eviction = new CacheEviction(store, cache, new CachePolicy(3 * MIB, Duration.ofDays(30)), clock);
        eviction.remember(ManifestFile.of(kept));

        CacheEviction.Result result = eviction.evict(Set.of(kept.digest()));

        assertThat(result.evicted()).isEqualTo(2);
        assertThat(result.bytesKept()).isEqualTo(3L * MIB);
        assertThat(chunksHeld()).containsExactlyInAnyOrder(kept.chunks().get(0).digest(), kept.chunks().get(1).digest(),
                strays.get(2));
    }

    @Test
    void theChunksOfADroppedReleaseStayForMaxAgeFromTheDropThenGo() throws IOException {
        Manifest old = release("1.0", 1, 2);
        Manifest now = release("2.0", 2, 3); // shares chunk 2
        age(old, "2026-01-01T00:00:00Z"); // stored long ago; in use until the drop
        CacheEviction eviction = new CacheEviction(store, cache, new CachePolicy(1L << 30, Duration.ofDays(30)), clock);
        eviction.remember(ManifestFile.of(old));
        eviction.remember(ManifestFile.of(now));

        assertThat(eviction.evict(Set.of(old.digest(), now.digest())).evicted()).isZero();
        assertThat(eviction.evict(Set.of(now.digest())).evicted()).as("just dropped: unused for no time yet").isZero();
        clock.advance(Duration.ofDays(29));
        assertThat(eviction.evict(Set.of(now.digest())).evicted()).isZero();
        clock.advance(Duration.ofDays(2));

        // A new instance, as after a restart, finds the same on the shelf.
        CacheEviction.Result result = new CacheEviction(store, cache, new CachePolicy(1L << 30, Duration.ofDays(30)), clock)
                .evict(Set.of(now.digest()));

        assertThat(result.evicted()).isEqualTo(1);
        assertThat(chunksHeld()).containsExactlyInAnyOrderElementsOf(now.chunks().stream().map(ChunkInfo::digest).toList());
        assertThat(cache.resolve(CacheEviction.MANIFESTS).resolve(old.digest().hex() + ".json")).doesNotExist();
    }

    @Test
    void withoutTheManifestOfAKeptReleaseNothingIsEvicted() throws IOException {
        Manifest kept = release("2.0", 1);
        stored(9, "2020-01-01T00:00:00Z");
        CacheEviction eviction = new CacheEviction(store, cache, new CachePolicy(MIB, Duration.ofDays(1)), clock);

        assertThat(eviction.evict(Set.of(kept.digest()))).isNull();
        assertThat(chunksHeld()).hasSize(2);
    }

    /** A release of one file made of the chunks numbered {@code ids} (1 MiB each), stored now. */
    private Manifest release(String version, int... ids) throws IOException {
        List<ChunkInfo> chunks = new ArrayList<>();
        List<ChunkSlice> slices = new ArrayList<>();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (int id : ids) {
            byte[] data = chunk(id);
            store.put(Digest.sha256(data), data);
            chunks.add(new ChunkInfo(Digest.sha256(data), data.length));
            slices.add(new ChunkSlice(Digest.sha256(data), 0, data.length));
            file.write(data);
        }
        byte[] bytes = file.toByteArray();
        return new Manifest("app", version, "stable", clock.instant(), bytes.length, chunks,
                List.of(new FileEntry("app.bin", FileEntry.MODE_REGULAR, bytes.length, Digest.sha256(bytes), slices)));
    }

    private Digest stored(int id, String modified) throws IOException {
        byte[] data = chunk(id);
        Digest d = Digest.sha256(data);
        store.put(d, data);
        Files.setLastModifiedTime(store.path(d), FileTime.from(Instant.parse(modified)));
        return d;
    }

    private void age(Manifest m, String modified) throws IOException {
        for (ChunkInfo c : m.chunks()) {
            Files.setLastModifiedTime(store.path(c.digest()), FileTime.from(Instant.parse(modified)));
        }
    }

    private static byte[] chunk(int id) {
        byte[] data = new byte[MIB];
        java.util.Arrays.fill(data, (byte) id);
        return data;
    }

    private List<Digest> chunksHeld() throws IOException {
        try (var walk = Files.walk(store.root())) {
            return walk.filter(Files::isRegularFile).map(p -> Digest.parse(p.getFileName().toString())).toList();
        }
    }
}
