package io.longhorn.api.wire;

/**
 * Request types of the engine-replica data protocol. A reply carries the request's code with
 * {@link #REPLY_BIT} set.
 */
public enum MessageType {
    READ(1),
    WRITE(2),
    WRITE_ZEROES(3),
    UNMAP(4),
    FLUSH(5),
    PING(6),
    /**
     * The first frame on every connection: who is writing (see {@link Hello}). The replica
     * refuses every other frame before it and answers it OK or EPERM (fenced) / EINVAL.
     */
    HELLO(7),
    /**
     * Opens the challenge-response that precedes HELLO when the volume has a secret (see
     * {@link io.longhorn.api.auth.DataAuth}): the request carries the client's nonce, the reply the
     * replica's (empty when the replica has no secret).
     */
    AUTH(8),
    /**
     * Reads a snapshot of the volume: the bytes it held at [offset, offset + length), which the
     * chain up to and including that snapshot gives (see {@link SnapshotRead}). Snapshots never
     * change, so the result does not depend on writes to the head in the meantime. For backups.
     */
    READ_SNAPSHOT(9);

    /** Set in the type byte of every reply. */
    public static final int REPLY_BIT = 0x80;

    private static final MessageType[] BY_CODE = new MessageType[10];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for a request code, or null when the code is unknown. */
    public static MessageType ofCode(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
