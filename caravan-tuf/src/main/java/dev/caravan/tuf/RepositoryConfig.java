package dev.caravan.tuf;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the publisher's {@link RepositoryWriter}: how long each role's new metadata stays
 * valid, and the type of newly generated keys.
 *
 * @param rootExpiry      validity of a new root version (default 365 days)
 * @param targetsExpiry   validity of a new targets version (default 90 days)
 * @param snapshotExpiry  validity of a new snapshot version (default 7 days)
 * @param timestampExpiry validity of a new timestamp version (default 1 day): re-sign it more
 *                        often than this, e.g. from cron with {@link RepositoryWriter#resignTimestamp}
 * @param keyType         type of new keys (default {@link KeyType#ED25519})
 */
public record RepositoryConfig(Duration rootExpiry, Duration targetsExpiry, Duration snapshotExpiry,
                               Duration timestampExpiry, KeyType keyType) {

    public RepositoryConfig {
        positive("rootExpiry", rootExpiry);
        positive("targetsExpiry", targetsExpiry);
        positive("snapshotExpiry", snapshotExpiry);
        positive("timestampExpiry", timestampExpiry);
        Objects.requireNonNull(keyType, "keyType");
    }

    /** 365 / 90 / 7 / 1 days, ed25519 keys. */
    public static RepositoryConfig defaults() {
        return new RepositoryConfig(Duration.ofDays(365), Duration.ofDays(90), Duration.ofDays(7), Duration.ofDays(1),
                KeyType.ED25519);
    }

    public RepositoryConfig withKeyType(KeyType type) {
        return new RepositoryConfig(rootExpiry, targetsExpiry, snapshotExpiry, timestampExpiry, type);
    }

    public RepositoryConfig withTimestampExpiry(Duration d) {
        return new RepositoryConfig(rootExpiry, targetsExpiry, snapshotExpiry, d, keyType);
    }

    Duration expiry(Role role) {
        return switch (role) {
            case ROOT -> rootExpiry;
            case TARGETS -> targetsExpiry;
            case SNAPSHOT -> snapshotExpiry;
            case TIMESTAMP -> timestampExpiry;
        };
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero() || d.toSeconds() < 1) {
            throw new IllegalArgumentException(name + " must be at least one second, got " + d);
        }
    }
}
