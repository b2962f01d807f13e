package dev.caravan.wire;

/**
 * REQUEST: send me this block. Requests are pipelined: a downloader keeps several in flight per
 * peer so that the link stays full. The answer is a {@link Data} or a {@link Reject} for the same
 * block, unless the downloader sends {@link Cancel} first.
 *
 * <p>Layout: {@code u32 chunk | u32 offset | u32 length}; see {@link BlockRange} for the bounds.
 */
public record Request(int chunk, int offset, int length) implements Message {
    public Request {
        new BlockRange(chunk, offset, length);
    }

    public Request(BlockRange range) {
        this(range.chunk(), range.offset(), range.length());
    }

    public BlockRange range() {
        return new BlockRange(chunk, offset, length);
    }
}
