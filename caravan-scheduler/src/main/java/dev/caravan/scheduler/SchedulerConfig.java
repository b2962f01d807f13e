package dev.caravan.scheduler;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link DownloadScheduler}, validated when built.
 *
 * <p>Defaults ({@link #DEFAULT}):
 * <table>
 * <caption>settings</caption>
 * <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 * <tr><td>blockSizeBytes</td><td>262144 (256 KiB)</td><td>bytes per request; the last block of a chunk may be shorter</td></tr>
 * <tr><td>minPipelineDepth</td><td>2 requests</td><td>requests in flight to a peer before its rate is known, and the least after</td></tr>
 * <tr><td>maxPipelineDepth</td><td>64 requests</td><td>the most requests in flight to one peer</td></tr>
 * <tr><td>targetQueueTime</td><td>1 s</td><td>how much of a peer's measured throughput to keep requested ahead</td></tr>
 * <tr><td>requestTimeoutFloor</td><td>5 s</td><td>no request times out sooner</td></tr>
 * <tr><td>requestTimeoutMultiplier</td><td>4.0</td><td>a request times out after this many times the block's expected transfer time</td></tr>
 * <tr><td>snubDuration</td><td>30 s</td><td>how long a peer that timed out is held to one request in flight</td></tr>
 * <tr><td>endgameDuplicates</td><td>2</td><td>in endgame, extra sources a block may be requested from at once</td></tr>
 * <tr><td>originGrace</td><td>2 s</td><td>time after start for bitfields to arrive before a chunk no peer has goes to the origin</td></tr>
 * <tr><td>originFallbackDelay</td><td>60 s</td><td>a chunk wanted this long may go to the origin even if peers have it, unless one of them is delivering to us (sent a block within snubDuration, not snubbed)</td></tr>
 * <tr><td>originMaxInFlight</td><td>4 blocks</td><td>the most origin fetches at once</td></tr>
 * <tr><td>allowOtherGroups</td><td>true</td><td>whether peers of other groups serve chunks that a peer of our group also has</td></tr>
 * <tr><td>ownerPatience</td><td>5 s</td><td>how long a connected peer shares the origin's chunks with us (owns some) without a sign that it fetches from the origin: a FETCHING (or, from a peer that never says FETCHING, a HAVE) within this long</td></tr>
 * </table>
 */
public record SchedulerConfig(
        int blockSizeBytes,
        int minPipelineDepth,
        int maxPipelineDepth,
        Duration targetQueueTime,
        Duration requestTimeoutFloor,
        double requestTimeoutMultiplier,
        Duration snubDuration,
        int endgameDuplicates,
        Duration originGrace,
        Duration originFallbackDelay,
        int originMaxInFlight,
        boolean allowOtherGroups,
        Duration ownerPatience) {

    /** The largest block (16 MiB); a peer's frame limit must fit one. */
    public static final int LARGEST_BLOCK_BYTES = 16 << 20;

    public static final SchedulerConfig DEFAULT = new SchedulerConfig(
            256 << 10, 2, 64, Duration.ofSeconds(1), Duration.ofSeconds(5), 4.0, Duration.ofSeconds(30),
            2, Duration.ofSeconds(2), Duration.ofSeconds(60), 4, true, Duration.ofSeconds(5));

    public SchedulerConfig {
        if (blockSizeBytes < 1 || blockSizeBytes > LARGEST_BLOCK_BYTES) {
            throw bad("blockSizeBytes", blockSizeBytes, "must be from 1 to " + LARGEST_BLOCK_BYTES);
        }
        if (minPipelineDepth < 1) {
            throw bad("minPipelineDepth", minPipelineDepth, "must be at least 1");
        }
        if (maxPipelineDepth < minPipelineDepth) {
            throw bad("maxPipelineDepth", maxPipelineDepth, "must be at least minPipelineDepth (" + minPipelineDepth + ")");
        }
        requirePositive("targetQueueTime", targetQueueTime);
        requirePositive("requestTimeoutFloor", requestTimeoutFloor);
        if (!(requestTimeoutMultiplier >= 1.0) || Double.isInfinite(requestTimeoutMultiplier)) {
            throw bad("requestTimeoutMultiplier", requestTimeoutMultiplier, "must be a finite number of at least 1");
        }
        requireNotNegative("snubDuration", snubDuration);
        if (endgameDuplicates < 0) {
            throw bad("endgameDuplicates", endgameDuplicates, "must not be negative");
        }
        requireNotNegative("originGrace", originGrace);
        requireNotNegative("originFallbackDelay", originFallbackDelay);
        if (originMaxInFlight < 1) {
            throw bad("originMaxInFlight", originMaxInFlight, "must be at least 1 (report originAvailable(false) to stop using the origin)");
        }
        requirePositive("ownerPatience", ownerPatience);
    }

    public SchedulerConfig withBlockSizeBytes(int v) {
        return new SchedulerConfig(v, minPipelineDepth, maxPipelineDepth, targetQueueTime, requestTimeoutFloor,
                requestTimeoutMultiplier, snubDuration, endgameDuplicates, originGrace, originFallbackDelay,
                originMaxInFlight, allowOtherGroups, ownerPatience);
    }

    public SchedulerConfig withPipelineDepth(int min, int max) {
        return new SchedulerConfig(blockSizeBytes, min, max, targetQueueTime, requestTimeoutFloor,
                requestTimeoutMultiplier, snubDuration, endgameDuplicates, originGrace, originFallbackDelay,
                originMaxInFlight, allowOtherGroups, ownerPatience);
    }

    public SchedulerConfig withRequestTimeout(Duration floor, double multiplier) {
        return new SchedulerConfig(blockSizeBytes, minPipelineDepth, maxPipelineDepth, targetQueueTime, floor,
                multiplier, snubDuration, endgameDuplicates, originGrace, originFallbackDelay,
                originMaxInFlight, allowOtherGroups, ownerPatience);
    }

    public SchedulerConfig withEndgameDuplicates(int v) {
        return new SchedulerConfig(blockSizeBytes, minPipelineDepth, maxPipelineDepth, targetQueueTime,
                requestTimeoutFloor, requestTimeoutMultiplier, snubDuration, v, originGrace, originFallbackDelay,
                originMaxInFlight, allowOtherGroups, ownerPatience);
    }

    public SchedulerConfig withOrigin(Duration grace, Duration fallbackDelay, int maxInFlight) {
        return new SchedulerConfig(blockSizeBytes, minPipelineDepth, maxPipelineDepth, targetQueueTime,
                requestTimeoutFloor, requestTimeoutMultiplier, snubDuration, endgameDuplicates, grace, fallbackDelay,
                maxInFlight, allowOtherGroups, ownerPatience);
    }

    public SchedulerConfig withAllowOtherGroups(boolean v) {
        return new SchedulerConfig(blockSizeBytes, minPipelineDepth, maxPipelineDepth, targetQueueTime,
                requestTimeoutFloor, requestTimeoutMultiplier, snubDuration, endgameDuplicates, originGrace,
                originFallbackDelay, originMaxInFlight, v, ownerPatience);
    }

    public SchedulerConfig withOwnerPatience(Duration v) {
        return new SchedulerConfig(blockSizeBytes, minPipelineDepth, maxPipelineDepth, targetQueueTime,
                requestTimeoutFloor, requestTimeoutMultiplier, snubDuration, endgameDuplicates, originGrace,
                originFallbackDelay, originMaxInFlight, allowOtherGroups, v);
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw bad(name, d, "must be positive");
        }
    }

    private static void requireNotNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw bad(name, d, "must not be negative");
        }
    }

    private static IllegalArgumentException bad(String name, Object value, String rule) {
        return new IllegalArgumentException("scheduler setting " + name + " " + rule + ", got " + value);
    }
}
