package io.longhorn.api.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The payload of a READ_SNAPSHOT request: which snapshot, and how many bytes. The frame's offset
 * field is the volume offset; its length field is the size of this payload (as for every frame
 * that carries one), so the bytes to read travel here.
 *
 * <pre>
 *  u32 length  bytes to read, a multiple of 4096, at most {@link Frame#MAX_PAYLOAD}
 *  u16 n       then n bytes: the snapshot's name, UTF-8 (as the replica lists it, e.g. "s1")
 * </pre>
 * The reply is OK with {@code length} bytes of data, or EINVAL with the reason: an unknown
 * snapshot, the head, a range outside the volume, a malformed payload.
 *
 * @param snapshot the snapshot's name
 * @param length   bytes to read
 */
public record SnapshotRead(String snapshot, int length) {

    /** Longest payload accepted: a snapshot name is far shorter. */
    public static final int MAX_PAYLOAD = 6 + 1024;

    public SnapshotRead {
        if (snapshot == null || snapshot.isEmpty()) {
            throw new IllegalArgumentException("snapshot: a snapshot read needs a snapshot name");
        }
        if (length < 0 || length > Frame.MAX_PAYLOAD) {
            throw new IllegalArgumentException("length: " + Integer.toUnsignedLong(length) + " bytes is outside 0.."
                    + Frame.MAX_PAYLOAD);
        }
    }

    public ByteBuffer payload() {
        byte[] n = snapshot.getBytes(StandardCharsets.UTF_8);
        if (6 + n.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("snapshot: the name of " + n.length + " bytes is too long");
        }
        return ByteBuffer.allocate(6 + n.length).putInt(length).putShort((short) n.length).put(n).flip();
    }

    /**
     * Reads the payload from position 0 to its limit.
     *
     * @throws IllegalArgumentException naming the field that is malformed
     */
    public static SnapshotRead decode(ByteBuffer payload) {
        ByteBuffer b = payload.duplicate().position(0);
        if (b.remaining() < 6) {
            throw new IllegalArgumentException("snapshot read: payload of " + b.remaining() + " bytes, expected at least 6");
        }
        int length = b.getInt();
        int n = b.getShort() & 0xffff;
        if (b.remaining() != n) {
            throw new IllegalArgumentException("snapshot read: the name announces " + n + " bytes, the payload holds "
                    + b.remaining());
        }
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("snapshot: the name is not valid UTF-8");
        }
        return new SnapshotRead(name, length);
    }

    /** The length a payload asks for, or 0 when it is too short to say. */
    public static int requestedLength(ByteBuffer payload) {
        return payload.limit() >= 4 ? Math.max(0, payload.getInt(0)) : 0;
    }
}
