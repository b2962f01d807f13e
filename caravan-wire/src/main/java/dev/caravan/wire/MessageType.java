package dev.caravan.wire;

/**
 * The frame type byte of each message, with the payload lengths its layout allows. The decoder
 * checks a frame's declared length against these bounds as soon as it has read the type byte,
 * before it waits for or allocates anything for the payload.
 */
public enum MessageType {
    HELLO(0x01, Hello.MIN_PAYLOAD_BYTES, Hello.MAX_PAYLOAD_BYTES),
    INTEREST(0x02, Interest.PAYLOAD_BYTES, Interest.PAYLOAD_BYTES),
    BITFIELD(0x03, Bitfield.MIN_PAYLOAD_BYTES, Bitfield.MAX_PAYLOAD_BYTES),
    HAVE(0x04, Have.PAYLOAD_BYTES, Have.PAYLOAD_BYTES),
    REQUEST(0x05, BlockRange.PAYLOAD_BYTES, BlockRange.PAYLOAD_BYTES),
    DATA(0x06, Data.HEADER_BYTES + 1, Data.HEADER_BYTES + Data.MAX_BLOCK_BYTES),
    CANCEL(0x07, BlockRange.PAYLOAD_BYTES, BlockRange.PAYLOAD_BYTES),
    REJECT(0x08, Reject.PAYLOAD_BYTES, Reject.PAYLOAD_BYTES),
    CHOKE(0x09, 0, 0),
    UNCHOKE(0x0A, 0, 0),
    PING(0x0B, Ping.PAYLOAD_BYTES, Ping.PAYLOAD_BYTES),
    PONG(0x0C, Ping.PAYLOAD_BYTES, Ping.PAYLOAD_BYTES),
    GOODBYE(0x0D, Goodbye.MIN_PAYLOAD_BYTES, Goodbye.MAX_PAYLOAD_BYTES),
    FETCHING(0x0E, Fetching.PAYLOAD_BYTES, Fetching.PAYLOAD_BYTES);

    private static final MessageType[] BY_CODE = new MessageType[256];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final int minPayloadBytes;
    private final int maxPayloadBytes;

    MessageType(int code, int minPayloadBytes, int maxPayloadBytes) {
        this.code = code;
        this.minPayloadBytes = minPayloadBytes;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** The type byte on the wire. */
    public int code() {
        return code;
    }

    /** The shortest payload (frame length minus the type byte) this type's layout allows. */
    public int minPayloadBytes() {
        return minPayloadBytes;
    }

    /** The longest payload this type's layout allows. */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** The type with this code, or {@code null} if no message has it. */
    static MessageType ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    static MessageType of(Message m) {
        return switch (m) {
            case Hello h -> HELLO;
            case Interest i -> INTEREST;
            case Bitfield b -> BITFIELD;
            case Have h -> HAVE;
            case Request r -> REQUEST;
            case Data d -> DATA;
            case Cancel c -> CANCEL;
            case Reject r -> REJECT;
            case Choke c -> CHOKE;
            case Unchoke u -> UNCHOKE;
            case Ping p -> PING;
            case Pong p -> PONG;
            case Goodbye g -> GOODBYE;
            case Fetching f -> FETCHING;
        };
    }
}
