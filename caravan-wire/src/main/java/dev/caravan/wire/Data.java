package dev.caravan.wire;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import java.util.Objects;

/**
 * DATA: a block of a chunk, the answer to a {@link Request} for exactly this block.
 *
 * <p>Layout: {@code u32 chunk | u32 offset | block}; the block's length is the rest of the frame,
 * from 1 to {@value #MAX_BLOCK_BYTES} bytes. Blocks are small compared with chunks (1 MiB on
 * average) so that several peers can share the blocks of one chunk, which matters for the last
 * chunks of a download.
 *
 * <p><b>Ownership.</b> A {@code Data} is reference-counted through its block, and whoever holds it
 * releases it once, like a {@link ByteBuf}:
 * <ul>
 *   <li>The decoder hands up a {@code Data} whose block is a retained slice of the inbound buffer
 *       (no copy): the handler that receives it must {@link #release()} it (for example after
 *       copying the block into the chunk being assembled), or pass it on.</li>
 *   <li>Writing a {@code Data} to a channel passes its reference to the encoder, which writes the
 *       block without copying and releases it once sent: do not release it after {@code write}.
 *       To keep the block too, {@link #retain()} before writing.</li>
 *   <li>The constructor takes the reference it is given; it does not retain.</li>
 * </ul>
 *
 * @param chunk the chunk's index in the interest's distinct chunk list
 * @param offset where the block starts in the chunk
 * @param block the bytes, its readable bytes; 1 to {@value #MAX_BLOCK_BYTES} of them
 */
public record Data(int chunk, int offset, ByteBuf block) implements Message, ReferenceCounted {
    /** The longest block (256 KiB). */
    public static final int MAX_BLOCK_BYTES = 256 << 10;
    static final int HEADER_BYTES = 8;

    public Data {
        Objects.requireNonNull(block, "block");
        new BlockRange(chunk, offset, block.readableBytes());
    }

    /** The block this answers. */
    public BlockRange range() {
        return new BlockRange(chunk, offset, block.readableBytes());
    }

    @Override
    public int refCnt() {
        return block.refCnt();
    }

    @Override
    public Data retain() {
        block.retain();
        return this;
    }

    @Override
    public Data retain(int increment) {
        block.retain(increment);
        return this;
    }

    @Override
    public Data touch() {
        block.touch();
        return this;
    }

    @Override
    public Data touch(Object hint) {
        block.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return block.release();
    }

    @Override
    public boolean release(int decrement) {
        return block.release(decrement);
    }

    @Override
    public String toString() {
        return "Data[chunk=" + chunk + ", offset=" + offset + ", length=" + block.readableBytes() + "]";
    }
}
