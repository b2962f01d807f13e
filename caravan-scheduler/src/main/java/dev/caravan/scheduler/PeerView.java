package dev.caravan.scheduler;

/**
 * What the scheduler currently knows about one connected peer, for dashboards and tests.
 *
 * @param inFlight requests sent and not yet answered
 * @param pipelineDepth how many requests may be in flight to it now
 * @param bytesPerSecond its measured throughput (moving average), or NaN before its first block
 * @param latencySeconds its measured request-to-block time (moving average), or NaN before its first block
 * @param choked whether it refuses requests
 * @param snubbed whether it is held to one request after a timeout
 */
public record PeerView(int inFlight, int pipelineDepth, double bytesPerSecond, double latencySeconds,
        boolean choked, boolean snubbed) {}
