package dev.caravan.agent.demo;

import dev.caravan.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.security.MessageDigest;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A generated release tree of a given size: files of mixed sizes (many small, a few large, some
 * empty) in nested folders, filled with seeded pseudo-random bytes, so that the same seed gives
 * the same tree. Used by {@code caravan demo}, the integration tests and the benchmarks.
 *
 * @param totalBytes the sum of the file sizes
 * @param fileCount  how many files, at least 1
 * @param seed       the seed of every choice and every byte
 */
public record SyntheticRelease(long totalBytes, int fileCount, long seed) {
    private static final int BUFFER = 1 << 16;

    public SyntheticRelease {
        if (totalBytes < 0) {
            throw new IllegalArgumentException("totalBytes must be >= 0, got " + totalBytes);
        }
        if (fileCount < 1) {
            throw new IllegalArgumentException("fileCount must be >= 1, got " + fileCount);
        }
    }

    /**
     * Writes the tree into {@code dir} (created if missing) and returns the files written, in
     * path order.
     */
    public List<Path> writeTo(Path dir) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        long[] sizes = sizes(random);
        List<Path> files = new ArrayList<>(fileCount);
        for (int i = 0; i < fileCount; i++) {
            Path file = dir.resolve(relativePath(i, random));
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                writeRandom(out, sizes[i], random);
            }
            if (i % 17 == 0) {
                file.toFile().setExecutable(true, false);
            }
            files.add(file);
        }
        files.sort(Comparator.naturalOrder());
        return files;
    }

    /**
     * Changes about {@code fraction} of the bytes of the tree below {@code dir} in place, in its
     * two largest files (one run of new bytes in each), and returns how many
     * bytes were changed. Sizes stay the same, so a new version of the release differs only there.
     */
    public static long mutate(Path dir, double fraction, long seed) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = new ArrayList<>(walk.filter(Files::isRegularFile).sorted().toList());
        }
        long total = 0;
        for (Path f : files) {
            total += Files.size(f);
        }
        files.sort(Comparator.comparingLong((Path f) -> f.toFile().length()).reversed());
        SplittableRandom random = new SplittableRandom(seed);
        List<Path> targets = files.subList(0, Math.min(2, files.size()));
        long budget = Math.round(total * fraction);
        long changed = 0;
        for (Path f : targets) {
            long size = Files.size(f);
            long run = Math.min(size, budget / targets.size());
            if (run == 0) {
                continue;
            }
            long at = random.nextLong(size - run + 1);
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                byte[] bytes = new byte[(int) Math.min(run, BUFFER)];
                raf.seek(at);
                for (long done = 0; done < run; done += bytes.length) {
                    random.nextBytes(bytes);
                    raf.write(bytes, 0, (int) Math.min(bytes.length, run - done));
                }
            }
            changed += run;
        }
        return changed;
    }

    /**
     * The regular files below {@code dir} by relative '/'-separated path, each with its SHA-256
     * and executable bit: two trees are the same release when these maps are equal.
     */
    public static SortedMap<String, String> digestTree(Path dir) throws IOException {
        SortedMap<String, String> digests = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            MessageDigest sha256 = Digest.newSha256();
            try (InputStream in = Files.newInputStream(f)) {
                byte[] buffer = new byte[BUFFER];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha256.update(buffer, 0, n);
                }
            }
            String rel = dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
            digests.put(rel, Digest.ofBytes(sha256.digest()).hex() + (Files.isExecutable(f) ? " x" : ""));
        }
        return digests;
    }

    private long[] sizes(SplittableRandom random) {
        // Log-uniform weights give many small files and a few large ones; one file in 20 is empty.
        double[] weights = new double[fileCount];
        double sum = 0;
        for (int i = 0; i < fileCount; i++) {
            weights[i] = (fileCount > 1 && i % 20 == 7) ? 0 : Math.exp(random.nextDouble() * Math.log(1 << 14));
            sum += weights[i];
        }
        long[] sizes = new long[fileCount];
        long assigned = 0;
        int last = -1;
        for (int i = 0; i < fileCount; i++) {
            sizes[i] = sum == 0 ? 0 : (long) (totalBytes * (weights[i] / sum));
            assigned += sizes[i];
            if (weights[i] > 0) {
                last = i;
            }
        }
        sizes[last < 0 ? 0 : last] += totalBytes - assigned;
        return sizes;
    }

    private static String relativePath(int i, SplittableRandom random) {
        int depth = random.nextInt(4);
        StringBuilder path = new StringBuilder();
        for (int d = 0; d < depth; d++) {
            path.append("dir").append(random.nextInt(6)).append('/');
        }
        return path.append("file-").append(String.format("%04d", i)).append(".bin").toString();
    }

    private static void writeRandom(OutputStream out, long size, SplittableRandom random) throws IOException {
        byte[] buffer = new byte[BUFFER];
        for (long done = 0; done < size; done += buffer.length) {
            random.nextBytes(buffer);
            out.write(buffer, 0, (int) Math.min(buffer.length, size - done));
        }
    }
}
