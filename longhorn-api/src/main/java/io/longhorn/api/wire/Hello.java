package io.longhorn.api.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The handshake that opens every data connection: which engine writes, for which volume, at which
 * generation. A replica admits a connection only when its generation is not below the one recorded
 * on the replica, and closes the connections of every other engine once an engine records a
 * generation (the fence that stops an old, paused or partitioned engine from writing).
 *
 * <p>On the wire it is a HELLO request frame: the offset field carries the generation, the payload
 * ({@code length} bytes) is
 * <pre>
 *  u16 n  then n bytes: the volume name, UTF-8 (empty: a tool that serves no volume, e.g. a restore)
 *  u16 m  then m bytes: the engine's instance id, UTF-8, unique per engine process start
 * </pre>
 * The reply is OK, EPERM (fenced: a newer engine owns the replica) or EINVAL (the replica serves
 * another volume, or the payload is malformed), with the reason as its message.
 *
 * @param volume     the volume name, or "" for a tool that serves no volume
 * @param generation the generation the engine serves at (or will record before serving)
 * @param engine     the engine's instance id
 */
public record Hello(String volume, long generation, String engine) {

    /** Longest payload accepted. */
    public static final int MAX_PAYLOAD = 1024;

    public Hello {
        if (volume == null || engine == null || engine.isEmpty()) {
            throw new IllegalArgumentException("a hello needs a volume (may be empty) and an engine id");
        }
        if (generation < 0) {
            throw new IllegalArgumentException("negative generation " + generation);
        }
    }

    /** The frame's payload. */
    public ByteBuffer payload() {
        byte[] v = volume.getBytes(StandardCharsets.UTF_8);
        byte[] e = engine.getBytes(StandardCharsets.UTF_8);
        if (4 + v.length + e.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("hello of engine " + engine + " for volume " + volume + " is too long");
        }
        ByteBuffer b = ByteBuffer.allocate(4 + v.length + e.length);
        b.putShort((short) v.length).put(v).putShort((short) e.length).put(e);
        return b.flip();
    }

    /** The request frame that carries this hello with {@code id}. */
    public Frame frame(long id) {
        return Frame.request(MessageType.HELLO, id, generation, payload().remaining(), 0);
    }

    /**
     * Reads a hello from a HELLO frame and its payload (position 0 to limit).
     *
     * @throws ProtocolException when the payload is malformed
     */
    public static Hello decode(Frame frame, ByteBuffer payload) throws ProtocolException {
        try {
            ByteBuffer b = payload.duplicate();
            if (b.remaining() > MAX_PAYLOAD) {
                throw new ProtocolException("hello of " + b.remaining() + " bytes exceeds " + MAX_PAYLOAD);
            }
            String volume = string(b);
            String engine = string(b);
            if (b.hasRemaining()) {
                throw new ProtocolException("hello has " + b.remaining() + " trailing bytes");
            }
            return new Hello(volume, frame.offset(), engine);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new ProtocolException("malformed hello: " + e.getMessage());
        }
    }

    private static String string(ByteBuffer b) {
        int n = b.getShort() & 0xffff;
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "engine " + engine + (volume.isEmpty() ? "" : " of volume " + volume) + " at generation " + generation;
    }
}
