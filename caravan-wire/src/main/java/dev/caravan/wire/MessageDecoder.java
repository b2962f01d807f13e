package dev.caravan.wire;

import dev.caravan.core.Digest;
import dev.caravan.core.manifest.Manifest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;

/**
 * Decodes frames ({@code u32 length | u8 type | payload}, big-endian, the length counting the type
 * byte and the payload) into {@link Message}s. It sits right after the {@code SslHandler} in a peer
 * connection's pipeline; {@link MessageEncoder} is its outbound twin and {@link ProtocolErrorHandler}
 * at the end of the pipeline closes the connection when it fails.
 *
 * <h2>Limits</h2>
 * <table border="1">
 * <caption>What a frame may declare, checked in this order</caption>
 * <tr><th>limit</th><th>default</th><th>fault</th></tr>
 * <tr><td>{@code maxFrameBytes}: a frame's declared length</td><td>{@value #DEFAULT_MAX_FRAME_BYTES}
 *     bytes (1 MiB)</td><td>{@link TooLongFrameException}</td></tr>
 * <tr><td>a frame is at least its type byte</td><td>1 byte</td><td>{@link CorruptedFrameException}</td></tr>
 * <tr><td>the type byte names a message</td><td>0x01 to 0x0D</td><td>{@link UnknownMessageTypeException}</td></tr>
 * <tr><td>the payload's length fits the type's layout ({@link MessageType#minPayloadBytes()} to
 *     {@link MessageType#maxPayloadBytes()}); the longest is a DATA of {@value Data#MAX_BLOCK_BYTES}
 *     bytes, then a BITFIELD of {@value Manifest#MAX_CHUNKS} chunks</td><td>fixed by the protocol</td>
 *     <td>{@link CorruptedFrameException}</td></tr>
 * <tr><td>the payload's fields match its length exactly and are valid (see each record)</td><td>fixed
 *     by the protocol</td><td>{@link CorruptedFrameException}</td></tr>
 * </table>
 *
 * <p>The first four checks need only the 5-byte header: a frame that breaks them fails before the
 * decoder waits for, or buffers, its payload. A frame that passes them is decoded when all of it has
 * arrived; until then the decoder produces nothing.
 *
 * <p>After a fault the decoder discards all further input: the connection is to be closed.
 *
 * <p>A {@link Data} it produces holds a retained slice of the inbound buffer; the receiver releases it.
 */
public final class MessageDecoder extends ByteToMessageDecoder {
    /** The default, and the most a v1 peer sends in one frame: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
    /** The longest frame any v1 message makes (a full DATA); {@code maxFrameBytes} may not be lower. */
    public static final int LONGEST_V1_FRAME_BYTES = 1 + Data.HEADER_BYTES + Data.MAX_BLOCK_BYTES;
    static final int HEADER_BYTES = 5;

    private final int maxFrameBytes;
    private boolean failed;

    /** A decoder with the default limits. */
    public MessageDecoder() {
        this(DEFAULT_MAX_FRAME_BYTES);
    }

    /**
     * @param maxFrameBytes the longest frame (type byte and payload) accepted, from
     *     {@value #LONGEST_V1_FRAME_BYTES} to {@value #DEFAULT_MAX_FRAME_BYTES}
     */
    public MessageDecoder(int maxFrameBytes) {
        if (maxFrameBytes < LONGEST_V1_FRAME_BYTES || maxFrameBytes > DEFAULT_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be from " + LONGEST_V1_FRAME_BYTES + " to "
                    + DEFAULT_MAX_FRAME_BYTES + ", got " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 4) {
            return;
        }
        int start = in.readerIndex();
        long frameBytes = in.getUnsignedInt(start);
        if (frameBytes > maxFrameBytes) {
            throw fail(in, new TooLongFrameException("frame of " + frameBytes + " bytes exceeds the limit of "
                    + maxFrameBytes + " bytes"));
        }
        if (frameBytes == 0) {
            throw fail(in, new CorruptedFrameException("frame of 0 bytes: a frame has at least its type byte"));
        }
        if (in.readableBytes() < HEADER_BYTES) {
            return;
        }
        int code = in.getUnsignedByte(start + 4);
        MessageType type = MessageType.ofCode(code);
        if (type == null) {
            throw fail(in, new UnknownMessageTypeException(code));
        }
        int payloadBytes = (int) frameBytes - 1;
        if (payloadBytes < type.minPayloadBytes() || payloadBytes > type.maxPayloadBytes()) {
            throw fail(in, new CorruptedFrameException(type + " frame with a payload of " + payloadBytes
                    + " bytes; its layout takes " + range(type) + " bytes"));
        }
        if (in.readableBytes() < 4 + frameBytes) {
            return;
        }
        in.skipBytes(HEADER_BYTES);
        ByteBuf payload = in.readSlice(payloadBytes);
        try {
            out.add(decodePayload(type, payload));
        } catch (IllegalArgumentException e) {
            throw fail(in, new CorruptedFrameException("bad " + type + ": " + e.getMessage(), e));
        } catch (CorruptedFrameException e) {
            throw fail(in, e);
        }
    }

    private <E extends DecoderException> E fail(ByteBuf in, E e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        return e;
    }

    private static String range(MessageType type) {
        return type.minPayloadBytes() == type.maxPayloadBytes() ? String.valueOf(type.minPayloadBytes())
                : type.minPayloadBytes() + " to " + type.maxPayloadBytes();
    }

    /** Decodes a payload whose length is already within its type's bounds. */
    private static Message decodePayload(MessageType type, ByteBuf p) {
        return switch (type) {
            case HELLO -> hello(p);
            case INTEREST -> new Interest(Digest.ofBytes(bytes(p, Interest.PAYLOAD_BYTES)));
            case BITFIELD -> bitfield(p);
            case HAVE -> new Have(p.readInt());
            case REQUEST -> new Request(p.readInt(), p.readInt(), p.readInt());
            case DATA -> data(p);
            case CANCEL -> new Cancel(p.readInt(), p.readInt(), p.readInt());
            case REJECT -> new Reject(p.readInt(), p.readInt(), p.readInt(), Reject.Reason.ofCode(p.readUnsignedByte()));
            case CHOKE -> Choke.INSTANCE;
            case UNCHOKE -> Unchoke.INSTANCE;
            case PING -> new Ping(p.readLong());
            case PONG -> new Pong(p.readLong());
            case GOODBYE -> goodbye(p);
            case FETCHING -> new Fetching(p.readInt());
        };
    }

    private static Hello hello(ByteBuf p) {
        int version = p.readUnsignedShort();
        int idBytes = p.readUnsignedByte();
        if (idBytes != PeerId.DEFAULT_BYTES && idBytes != PeerId.LONG_BYTES) {
            throw new CorruptedFrameException("bad HELLO: a peer id has " + PeerId.DEFAULT_BYTES + " or "
                    + PeerId.LONG_BYTES + " bytes, got " + idBytes);
        }
        requireRemaining(p, idBytes + 1 + 1 + 2, "HELLO");
        PeerId id = new PeerId(bytes(p, idBytes));
        int groupBytes = p.readUnsignedByte();
        requireExactly(p, groupBytes + 2, "HELLO with a group of " + groupBytes + " bytes");
        String group = p.readCharSequence(groupBytes, StandardCharsets.ISO_8859_1).toString();
        return new Hello(version, id, group, p.readUnsignedShort());
    }

    private static Bitfield bitfield(ByteBuf p) {
        long count = p.readUnsignedInt();
        if (count > Manifest.MAX_CHUNKS) {
            throw new CorruptedFrameException("bad BITFIELD: a bitfield counts at most " + Manifest.MAX_CHUNKS
                    + " chunks, got " + count);
        }
        int n = (int) count;
        requireExactly(p, Bitfield.packedBytes(n), "BITFIELD of " + n + " chunks");
        BitSet held = new BitSet(n);
        for (int i = 0; i < Bitfield.packedBytes(n); i++) {
            int b = p.readUnsignedByte();
            for (int bit = 0; b != 0 && bit < 8; bit++) {
                if ((b & (0x80 >>> bit)) != 0) {
                    int index = i * 8 + bit;
                    if (index >= n) {
                        throw new CorruptedFrameException("bad BITFIELD: spare bit " + index + " is set in a bitfield of "
                                + n + " chunks");
                    }
                    held.set(index);
                }
            }
        }
        return new Bitfield(n, held);
    }

    private static Data data(ByteBuf p) {
        int chunk = p.readInt();
        int offset = p.readInt();
        new BlockRange(chunk, offset, p.readableBytes());
        return new Data(chunk, offset, p.readRetainedSlice(p.readableBytes()));
    }

    private static Goodbye goodbye(ByteBuf p) {
        Goodbye.Reason reason = Goodbye.Reason.ofCode(p.readUnsignedByte());
        int messageBytes = p.readUnsignedByte();
        requireExactly(p, messageBytes, "GOODBYE with a message of " + messageBytes + " bytes");
        try {
            ByteBuffer utf8 = p.nioBuffer(p.readerIndex(), messageBytes);
            String message = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(utf8).toString();
            p.skipBytes(messageBytes);
            return new Goodbye(reason, message);
        } catch (CharacterCodingException e) {
            throw new CorruptedFrameException("bad GOODBYE: its message is not UTF-8", e);
        }
    }

    private static byte[] bytes(ByteBuf p, int n) {
        byte[] b = new byte[n];
        p.readBytes(b);
        return b;
    }

    private static void requireRemaining(ByteBuf p, int atLeast, String what) {
        if (p.readableBytes() < atLeast) {
            throw new CorruptedFrameException("bad " + what + ": payload ends " + (atLeast - p.readableBytes())
                    + " bytes too early");
        }
    }

    private static void requireExactly(ByteBuf p, int bytes, String what) {
        if (p.readableBytes() != bytes) {
            throw new CorruptedFrameException("bad " + what + ": the layout needs " + bytes + " more payload bytes, the frame has "
                    + p.readableBytes());
        }
    }
}
