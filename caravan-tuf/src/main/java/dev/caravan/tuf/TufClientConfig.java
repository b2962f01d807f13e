package dev.caravan.tuf;

/**
 * Limits of the {@link TufClient}, so that a hostile repository or mirror can waste only a
 * bounded amount of bandwidth, memory and time (tuf-spec 5.3.3, 5.4.1, 5.5.1, 5.6.1, 5.6.7.1).
 *
 * @param maxRootBytes       most bytes read for one {@code N.root.json} (W in 5.3.3; default 512 KiB)
 * @param maxTimestampBytes  most bytes read for {@code timestamp.json} (X in 5.4.1; default 16 KiB)
 * @param maxSnapshotBytes   most bytes read for the snapshot when timestamp.json does not give its length (default 4 MiB)
 * @param maxTargetsBytes    most bytes read for a targets role's metadata when snapshot.json does not give its length (default 32 MiB)
 * @param maxRootRotations   most new root versions fetched in one refresh (Y in 5.3.3; default 32)
 * @param maxDelegations     most targets roles visited in one search for a target (5.6.7.1; default 32)
 */
public record TufClientConfig(long maxRootBytes, long maxTimestampBytes, long maxSnapshotBytes, long maxTargetsBytes,
                              int maxRootRotations, int maxDelegations) {

    public TufClientConfig {
        positive("maxRootBytes", maxRootBytes);
        positive("maxTimestampBytes", maxTimestampBytes);
        positive("maxSnapshotBytes", maxSnapshotBytes);
        positive("maxTargetsBytes", maxTargetsBytes);
        positive("maxRootRotations", maxRootRotations);
        positive("maxDelegations", maxDelegations);
    }

    public static TufClientConfig defaults() {
        return new TufClientConfig(512 * 1024, 16 * 1024, 4 * 1024 * 1024, 32 * 1024 * 1024, 32, 32);
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }
}
