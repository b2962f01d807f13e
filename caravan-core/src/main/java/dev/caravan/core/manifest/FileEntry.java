package dev.caravan.core.manifest;

import dev.caravan.core.Digest;
import java.util.List;
import java.util.Objects;

/**
 * A regular file of a release: where it goes, its mode, its size and SHA-256, and the chunk
 * slices that make up its bytes, in order. An empty file has no slices.
 *
 * @param path the file's path in the release, valid by {@link ReleasePaths#requireValid}
 * @param mode {@link #MODE_REGULAR} (0644) or {@link #MODE_EXECUTABLE} (0755); no other modes, so
 *     a release cannot install set-uid or world-writable files
 * @param size the file's length in bytes, the sum of its slices' lengths
 * @param sha256 the SHA-256 of the whole file
 * @param slices the runs of chunk bytes that make up the file, in order
 */
public record FileEntry(String path, int mode, long size, Digest sha256, List<ChunkSlice> slices) {
    public static final int MODE_REGULAR = 0644;
    public static final int MODE_EXECUTABLE = 0755;

    public FileEntry {
        ReleasePaths.requireValid(path);
        if (mode != MODE_REGULAR && mode != MODE_EXECUTABLE) {
            throw new IllegalArgumentException("file " + ReleasePaths.quote(path) + " has mode 0" + Integer.toOctalString(mode)
                    + "; a release file's mode is 0644 or 0755");
        }
        if (size < 0) {
            throw new IllegalArgumentException("file " + ReleasePaths.quote(path) + " has negative size " + size);
        }
        Objects.requireNonNull(sha256, "sha256");
        slices = List.copyOf(slices);
        long sum = 0;
        for (ChunkSlice slice : slices) {
            sum += slice.length();
        }
        if (sum != size) {
            throw new IllegalArgumentException("file " + ReleasePaths.quote(path) + " has size " + size
                    + " but its slices add up to " + sum + " bytes");
        }
    }

    public boolean executable() {
        return mode == MODE_EXECUTABLE;
    }
}
