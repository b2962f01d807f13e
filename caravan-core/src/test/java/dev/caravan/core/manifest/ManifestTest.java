package dev.caravan.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.Digest;
import dev.caravan.core.json.CanonicalJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Consumer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ManifestTest {
    static final Instant CREATED = Instant.parse("2026-11-25T09:30:00Z");

    /** A random but consistent manifest: files in path order tiled over chunks of random sizes. */
    static Manifest randomManifest(long seed) {
        Random random = new Random(seed);
        TreeSet<String> paths = new TreeSet<>(ReleasePaths.ORDER);
        String[] names = {"a", "b.txt", "bin", "lib", "données", "日本", "𝄞", "x y", ".cfg"};
        int fileCount = random.nextInt(12);
        while (paths.size() < fileCount) {
            int depth = 1 + random.nextInt(3);
            StringBuilder sb = new StringBuilder();
            for (int d = 0; d < depth; d++) {
                sb.append(d > 0 ? "/" : "").append(names[random.nextInt(names.length)]).append(d + 1 < depth ? "" : random.nextInt(100));
            }
            paths.add(sb.toString());
        }
        List<String> distinct = new ArrayList<>();
        for (String path : paths) {
            if (distinct.stream().noneMatch(p -> path.startsWith(p + "/") || p.startsWith(path + "/"))) {
                distinct.add(path);
            }
        }
        long[] sizes = new long[distinct.size()];
        long total = 0;
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = random.nextInt(4) == 0 ? 0 : random.nextInt(5000);
            total += sizes[i];
        }
        List<ChunkInfo> chunks = new ArrayList<>();
        for (long left = total; left > 0; ) {
            int size = (int) Math.min(left, 1 + random.nextInt(3000));
            Digest digest = random.nextInt(5) == 0 && !chunks.isEmpty() && chunks.getLast().size() == size
                    ? chunks.getLast().digest() : Digest.sha256(longBytes(random.nextLong()));
            chunks.add(new ChunkInfo(digest, size));
            left -= size;
        }
        List<FileEntry> files = new ArrayList<>();
        int chunk = 0;
        int offset = 0;
        for (int i = 0; i < sizes.length; i++) {
            List<ChunkSlice> slices = new ArrayList<>();
            for (long left = sizes[i]; left > 0; ) {
                int length = (int) Math.min(left, chunks.get(chunk).size() - offset);
                slices.add(new ChunkSlice(chunks.get(chunk).digest(), offset, length));
                left -= length;
                offset += length;
                if (offset == chunks.get(chunk).size()) {
                    chunk++;
                    offset = 0;
                }
            }
            files.add(new FileEntry(distinct.get(i), random.nextBoolean() ? 0644 : 0755, sizes[i],
                    Digest.sha256(longBytes(random.nextLong())), slices));
        }
        return new Manifest("app", "1.2." + random.nextInt(100), "stable", CREATED.plusSeconds(random.nextInt(1_000_000)),
                total, chunks, files);
    }

    private static byte[] longBytes(long value) {
        return java.nio.ByteBuffer.allocate(8).putLong(value).array();
    }

    @Property(tries = 300)
    void aManifestSurvivesItsJson(@ForAll long seed) throws IOException {
        Manifest manifest = randomManifest(seed);
        byte[] json = manifest.toCanonicalJson();

        Manifest parsed = Manifest.parse(json);

        assertThat(parsed).isEqualTo(manifest);
        assertThat(parsed.toCanonicalJson()).isEqualTo(json);
        assertThat(CanonicalJson.encode(CanonicalJson.parse(json))).isEqualTo(json);
    }

    @Test
    void theJsonHasTheDocumentedShape() {
        Digest chunk = Digest.sha256(new byte[] {1});
        Digest file = Digest.sha256(new byte[] {2});
        Manifest manifest = new Manifest("app", "2.0", "beta", CREATED, 10, List.of(new ChunkInfo(chunk, 10)),
                List.of(new FileEntry("bin/app", 0755, 10, file, List.of(new ChunkSlice(chunk, 0, 10))),
                        new FileEntry("empty", 0644, 0, Digest.sha256(new byte[0]), List.of())));

        assertThat(new String(manifest.toCanonicalJson(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"channel\":\"beta\",\"chunks\":[{\"sha256\":\"" + chunk + "\",\"size\":10}],\"created_at\":\"2026-11-25T09:30:00Z\","
                + "\"files\":[{\"mode\":493,\"path\":\"bin/app\",\"sha256\":\"" + file + "\",\"size\":10,"
                + "\"slices\":[{\"chunk\":\"" + chunk + "\",\"length\":10,\"offset\":0}]},"
                + "{\"mode\":420,\"path\":\"empty\",\"sha256\":\"" + Digest.sha256(new byte[0]) + "\",\"size\":0,\"slices\":[]}],"
                + "\"format\":1,\"product\":\"app\",\"total_bytes\":10,\"version\":\"2.0\"}");
        assertThat(manifest.distinctChunks()).containsExactly(new ChunkInfo(chunk, 10));
        assertThat(manifest.digest()).isEqualTo(Digest.sha256(manifest.toCanonicalJson()));
    }

    @Test
    void aPublishedManifestIsNamedByTheBytesItWasReadFrom() throws ManifestException {
        byte[] canonical = sample().toCanonicalJson();
        ManifestFile published = ManifestFile.parse(canonical);
        assertThat(published.manifest()).isEqualTo(sample());
        assertThat(published.digest()).isEqualTo(sample().digest()).isEqualTo(ManifestFile.of(sample()).digest());
        assertThat(published.json()).isEqualTo(canonical);

        // Bytes that are not canonical JSON name a different release, though they parse the same.
        byte[] spaced = (new String(canonical, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8);
        ManifestFile other = ManifestFile.parse(spaced);
        assertThat(other.manifest()).isEqualTo(sample());
        assertThat(other.digest()).isEqualTo(Digest.sha256(spaced)).isNotEqualTo(published.digest());

        // What it keeps is its own: changing the array it was read from, or the one it gave out, changes nothing.
        canonical[0] = ' ';
        published.json()[1] = ' ';
        assertThat(Digest.sha256(published.json())).isEqualTo(published.digest());
    }

    /** A valid manifest with two files over three chunks, the second of which repeats the first. */
    static Manifest sample() {
        Digest c1 = Digest.sha256(new byte[] {1});
        Digest c2 = Digest.sha256(new byte[] {2});
        return new Manifest("app", "1.0", "stable", CREATED, 300,
                List.of(new ChunkInfo(c1, 100), new ChunkInfo(c2, 100), new ChunkInfo(c1, 100)),
                List.of(new FileEntry("a", 0644, 150, Digest.sha256(new byte[] {3}),
                                List.of(new ChunkSlice(c1, 0, 100), new ChunkSlice(c2, 0, 50))),
                        new FileEntry("b/c", 0755, 150, Digest.sha256(new byte[] {4}),
                                List.of(new ChunkSlice(c2, 50, 50), new ChunkSlice(c1, 0, 100)))));
    }

    private static void assertRefused(Consumer<ObjectNode> edit, String... messageParts) throws IOException {
        ObjectNode root = (ObjectNode) CanonicalJson.parse(sample().toCanonicalJson());
        edit.accept(root);
        byte[] json = CanonicalJson.MAPPER.writeValueAsBytes(root);
        var thrown = assertThatThrownBy(() -> Manifest.parse(json)).isInstanceOf(ManifestException.class);
        for (String part : messageParts) {
            thrown.hasMessageContaining(part);
        }
    }

    private static ObjectNode file(ObjectNode root, int i) {
        return (ObjectNode) root.get("files").get(i);
    }

    @Test
    void theSampleIsValid() throws IOException {
        assertThat(Manifest.parse(sample().toCanonicalJson())).isEqualTo(sample());
        assertThat(sample().distinctChunks()).hasSize(2);
    }

    @Test
    void anUnknownFormatIsRefusedFirst() throws IOException {
        assertRefused(r -> r.put("format", 2).put("novelty", true), "unknown manifest format 2", "reads format 1");
        assertRefused(r -> r.remove("format"), "unknown manifest format null");
        assertRefused(r -> r.put("format", "1"), "unknown manifest format \"1\"");
    }

    @Test
    void unknownAndMissingFieldsAreRefused() throws IOException {
        assertRefused(r -> r.put("extra", 1), "manifest has an unknown field \"extra\"");
        assertRefused(r -> r.remove("channel"), "manifest has no \"channel\"");
        assertRefused(r -> file(r, 1).put("owner", "root"), "files[1] has an unknown field \"owner\"");
        assertRefused(r -> ((ObjectNode) file(r, 0).get("slices").get(1)).remove("offset"), "files[0].slices[1] has no \"offset\"");
    }

    @Test
    void badDigestsAreRefused() throws IOException {
        assertRefused(r -> ((ObjectNode) r.get("chunks").get(1)).put("sha256", "ABC"), "chunks[1].sha256", "not a SHA-256", "\"ABC\"");
        assertRefused(r -> file(r, 0).put("sha256", "0".repeat(63)), "files[0].sha256", "not a SHA-256");
    }

    @Test
    void sizesThatDoNotAddUpAreRefused() throws IOException {
        assertRefused(r -> file(r, 0).put("size", 151), "files[0]", "file \"a\" has size 151 but its slices add up to 150 bytes");
        assertRefused(r -> r.put("total_bytes", 299), "totalBytes is 299 but the chunks add up to 300 bytes");
        assertRefused(r -> ((ObjectNode) r.get("chunks").get(0)).put("size", 0), "chunks[0]", "has size 0");
    }

    @Test
    void negativeAndNonIntegerNumbersAreRefused() throws IOException {
        assertRefused(r -> file(r, 0).put("size", -1), "files[0].size is -1, outside 0..");
        assertRefused(r -> ((ObjectNode) file(r, 0).get("slices").get(0)).put("length", java.math.BigInteger.TWO.pow(70)),
                "files[0].slices[0].length is 1180591620717411303424, outside 0..2147483647");
        assertRefused(r -> ((ObjectNode) r.get("chunks").get(2)).put("size", 1L << 31), "chunks[2].size is 2147483648, outside 0..2147483647");
        assertRefused(r -> r.put("total_bytes", 1.5), "manifest.total_bytes is not an integer: 1.5");
        assertRefused(r -> file(r, 0).put("mode", 04755), "file \"a\" has mode 04755; a release file's mode is 0644 or 0755");
        assertRefused(r -> file(r, 0).put("mode", 0120755), "file \"a\" has mode 0120755; a release file's mode is 0644 or 0755");
    }

    @Test
    void slicesThatDoNotFollowTheStreamAreRefused() throws IOException {
        Digest c1 = Digest.sha256(new byte[] {1});
        Digest c2 = Digest.sha256(new byte[] {2});
        assertRefused(r -> ((ObjectNode) file(r, 1).get("slices").get(0)).put("chunk", c1.hex()),
                "file \"b/c\" slice 0 is chunk " + c1 + " at offset 50 but the release stream there is chunk " + c2 + " at offset 50");
        assertRefused(r -> ((ObjectNode) file(r, 1).get("slices").get(1)).put("offset", 1).put("length", 99)
                        .put("x", 1), "unknown field \"x\"");
        assertRefused(r -> {
            ((ObjectNode) file(r, 1).get("slices").get(1)).put("length", 99);
            file(r, 1).put("size", 149);
        }, "the files end at chunk 2 offset 99 but the release stream has 3 chunks");
    }

    @Test
    void badPathsAreRefused() throws IOException {
        assertRefused(r -> file(r, 1).put("path", "../c"), "bad release path \"../c\": it has a \"..\" segment");
        assertRefused(r -> file(r, 1).put("path", "/etc/c"), "it is absolute");
        assertRefused(r -> file(r, 1).put("path", "a"), "bad release path \"a\": it appears twice");
        assertRefused(r -> file(r, 1).put("path", "a/c"), "bad release path \"a\": it is a file and also the folder of \"a/c\"");
    }

    @Test
    void badNamesAndTimesAreRefused() throws IOException {
        assertRefused(r -> r.put("product", "../app"), "bad product name \"../app\"");
        assertRefused(r -> r.put("created_at", "2026-11-25T09:30:00.5Z"), "manifest.created_at \"2026-11-25T09:30:00.5Z\" is not a UTC time");
        assertRefused(r -> r.put("created_at", "yesterday"), "is not a UTC time");
    }

    @Test
    void hostileSizesAreRefusedBeforeTheyCostMemory() throws IOException {
        assertRefused(r -> {
            ArrayNode files = r.putArray("files");
            for (int i = 0; i <= Manifest.MAX_FILES; i++) {
                files.addObject();
            }
        }, "manifest.files has 500001 entries, more than the 500000 allowed");
        assertThatThrownBy(() -> Manifest.parse(new byte[Manifest.MAX_JSON_BYTES + 1]))
                .isInstanceOf(ManifestException.class).hasMessageContaining("more than the 67108864 allowed");
    }

    @Test
    void notJsonIsRefused() {
        assertThatThrownBy(() -> Manifest.parse("{\"format\": 1".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ManifestException.class).hasMessageStartingWith("manifest is not valid JSON");
        assertThatThrownBy(() -> Manifest.parse((new String(sample().toCanonicalJson(), StandardCharsets.UTF_8) + "{}")
                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ManifestException.class).hasMessageStartingWith("manifest is not valid JSON");
        assertThatThrownBy(() -> Manifest.parse("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ManifestException.class).hasMessage("manifest is not a JSON object");
    }

    @Test
    void theConstructorChecksTheSameRules() {
        Manifest s = sample();
        assertThatThrownBy(() -> new Manifest(s.product(), s.version(), s.channel(), CREATED.plusMillis(5), s.totalBytes(), s.chunks(), s.files()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole seconds");
        assertThatThrownBy(() -> new Manifest(s.product(), s.version(), "Stable!", CREATED, s.totalBytes(), s.chunks(), s.files()))
                .hasMessageContaining("bad channel name \"Stable!\"");
    }
}
