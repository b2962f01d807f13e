package dev.caravan.scheduler;

/**
 * A snapshot of what a {@link DownloadScheduler} has counted since it started.
 *
 * @param bytesFromSameGroup block bytes received from peers in our group, duplicates included
 * @param bytesFromOtherGroups block bytes received from peers in other groups, duplicates included
 * @param bytesFromOrigin block bytes received from the origin, duplicates included
 * @param duplicateBytes received bytes that were not taken: endgame duplicates, arrivals after a
 *     cancel or timeout, blocks not asked of that source
 * @param requestsTimedOut requests given up on because their source stalled
 * @param peersBanned peers banned for sending a chunk that failed verification
 * @param chunksVerified chunks verified by this download (not those we had at start)
 * @param chunksFailedVerification chunks whose bytes failed verification
 */
public record SchedulerStats(
        long bytesFromSameGroup,
        long bytesFromOtherGroups,
        long bytesFromOrigin,
        long duplicateBytes,
        long requestsTimedOut,
        int peersBanned,
        int chunksVerified,
        int chunksFailedVerification) {

    /** Bytes received from peers of every group. */
    public long bytesFromPeers() {
        return bytesFromSameGroup + bytesFromOtherGroups;
    }
}
