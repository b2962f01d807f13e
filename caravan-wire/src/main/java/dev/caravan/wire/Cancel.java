package dev.caravan.wire;

/**
 * CANCEL: I no longer want this block (it came from elsewhere, or endgame is over). The uploader
 * drops it if it has not started sending it; a {@link Data} already on its way is still valid.
 *
 * <p>Layout: {@code u32 chunk | u32 offset | u32 length}; see {@link BlockRange} for the bounds.
 */
public record Cancel(int chunk, int offset, int length) implements Message {
    public Cancel {
        new BlockRange(chunk, offset, length);
    }

    public Cancel(BlockRange range) {
        this(range.chunk(), range.offset(), range.length());
    }

    public BlockRange range() {
        return new BlockRange(chunk, offset, length);
    }
}
