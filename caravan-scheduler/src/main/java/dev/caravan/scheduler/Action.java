package dev.caravan.scheduler;

/**
 * A decision of the {@link DownloadScheduler} that the I/O layer carries out: send a message,
 * fetch a range from the origin, close a peer, or report completion.
 *
 * <p>Actions come in the order the I/O layer should carry them out.
 *
 * @param <P> how the caller names a peer
 */
public sealed interface Action<P> {

    /** Send REQUEST for {@code block} to {@code peer}. */
    record Request<P>(P peer, Block block) implements Action<P> {}

    /** Send CANCEL for {@code block} to {@code peer}: the block came from elsewhere or timed out. */
    record Cancel<P>(P peer, Block block) implements Action<P> {}

    /** Fetch {@code block} from the origin (an HTTP range request). */
    record FetchFromOrigin<P>(Block block) implements Action<P> {}

    /** Abandon an origin fetch of {@code block}, if it can still be abandoned. */
    record CancelOrigin<P>(Block block) implements Action<P> {}

    /**
     * Hash the chunk, whose blocks have all arrived, then report {@link DownloadScheduler#chunkVerified}
     * or {@link DownloadScheduler#chunkFailedVerification}.
     */
    record VerifyChunk<P>(int chunk) implements Action<P> {}

    /** Send HAVE for {@code chunk} to every connected peer: it is verified and can be served. */
    record SendHave<P>(int chunk) implements Action<P> {}

    /** Close {@code peer} and refuse it for the rest of this release. */
    record Ban<P>(P peer, String reason) implements Action<P> {}

    /**
     * Every chunk is verified. Emitted once, by the event that verified the last chunk (or, if every
     * chunk was there at the start, by the first event).
     */
    record Complete<P>() implements Action<P> {}
}
