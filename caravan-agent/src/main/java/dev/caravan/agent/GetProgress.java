package dev.caravan.agent;

/**
 * Receives what a {@link ReleaseGetter} is doing, for a progress bar or log lines. Called from
 * I/O threads: implementations must be thread-safe and quick.
 */
public interface GetProgress {
    /** No progress reporting. */
    GetProgress NONE = new GetProgress() {};

    /** The release is chosen and its manifest verified; this many chunks and bytes are missing. */
    default void started(String release, long releaseBytes, int missingChunks, long missingBytes) {}

    /** One more chunk arrived and was verified. */
    default void chunkFetched(long bytes) {}
}
