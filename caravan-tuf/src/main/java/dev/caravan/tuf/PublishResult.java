package dev.caravan.tuf;

import java.util.List;

/**
 * What a {@link RepositoryWriter} operation wrote: the new metadata versions (the current ones
 * when nothing changed) and the targets added or replaced.
 *
 * @param changed whether new metadata was written at all
 */
public record PublishResult(boolean changed, long rootVersion, long targetsVersion, long snapshotVersion,
                            long timestampVersion, List<TargetInfo> targetsWritten) {

    public PublishResult {
        targetsWritten = List.copyOf(targetsWritten);
    }
}
