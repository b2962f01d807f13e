package dev.caravan.agent.seed;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of {@link UploadSlots}, validated when built.
 *
 * <p>Defaults ({@link #DEFAULT}):
 * <table>
 * <caption>settings</caption>
 * <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 * <tr><td>slots</td><td>4 peers</td><td>regular upload slots, at least 1</td></tr>
 * <tr><td>rotation</td><td>10 s</td><td>how often slots pass to waiting peers; positive</td></tr>
 * <tr><td>optimisticSlots</td><td>1 peer</td><td>slots on top of the regular ones that pass round robin
 *     to the peer that has waited longest; 0 or more</td></tr>
 * </table>
 *
 * @param slots           regular upload slots
 * @param rotation        the period between rotations
 * @param optimisticSlots round-robin slots on top of {@code slots}
 */
public record UploadSlotConfig(int slots, Duration rotation, int optimisticSlots) {

    public static final UploadSlotConfig DEFAULT = new UploadSlotConfig(4, Duration.ofSeconds(10), 1);

    public UploadSlotConfig {
        if (slots < 1) {
            throw new IllegalArgumentException("upload slots: slots is " + slots + "; must be at least 1");
        }
        Objects.requireNonNull(rotation, "upload slots: rotation");
        if (rotation.isNegative() || rotation.isZero()) {
            throw new IllegalArgumentException("upload slots: rotation is " + rotation + "; must be positive");
        }
        if (optimisticSlots < 0) {
            throw new IllegalArgumentException(
                    "upload slots: optimisticSlots is " + optimisticSlots + "; must not be negative");
        }
        // Fail here rather than overflow when the two are added (or rotation is turned into nanoseconds).
        if ((long) slots + optimisticSlots > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("upload slots: slots + optimisticSlots is "
                    + ((long) slots + optimisticSlots) + "; must be at most " + Integer.MAX_VALUE);
        }
        try {
            rotation.toNanos();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("upload slots: rotation is " + rotation + "; must be under 292 years");
        }
    }

    /** The most peers unchoked at once: {@code slots + optimisticSlots}. */
    public int capacity() {
        return slots + optimisticSlots;
    }
}
