package dev.caravan.wire;

import io.netty.handler.codec.CorruptedFrameException;

/** A frame whose type byte names no message of this protocol version. */
public final class UnknownMessageTypeException extends CorruptedFrameException {
    private static final long serialVersionUID = 1L;
    private final int typeCode;

    UnknownMessageTypeException(int typeCode) {
        super(String.format("unknown message type 0x%02x", typeCode));
        this.typeCode = typeCode;
    }

    /** The unknown type byte, 0 to 255. */
    public int typeCode() {
        return typeCode;
    }
}
