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
 *  [u16 k then k bytes: the client's proof, when the connection was opened with AUTH]
 * </pre>
 * The reply is OK, EPERM (fenced: a newer engine owns the replica), EINVAL (the replica serves
 * another volume, or the payload is malformed) or EACCES (the replica has a volume secret and the
 * proof is missing or wrong), with the reason as its message. An OK reply to an authenticated
 * hello carries the replica's proof as its payload (see {@link io.longhorn.api.auth.DataAuth}).
 *
 * <p>A reader (a backup) sets {@link Frame#FLAG_READ_ONLY} on the HELLO frame: the fence admits
 * it whatever generation is recorded and never closes it, and the replica refuses every write on
 * it. The flag is part of what the challenge-response proves (see
 * {@link io.longhorn.api.auth.DataAuth}).
 *
 * @param volume     the volume name, or "" for a tool that serves no volume
 * @param generation the generation the engine serves at (or will record before serving)
 * @param engine     the engine's instance id
 * @param readOnly   whether the connection only reads
 */
public record Hello(String volume, long generation, String engine, boolean readOnly) {

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

    /** A writer's hello. */
    public Hello(String volume, long generation, String engine) {
        this(volume, generation, engine, false);
    }

    /** A reader's hello: it writes nothing, so it serves at no generation. */
    public static Hello reader(String volume, String client) {
        return new Hello(volume, 0, client, true);
    }

    /** The flags of the HELLO frame that carries this hello. */
    public int flags() {
        return readOnly ? Frame.FLAG_READ_ONLY : 0;
    }

    /** The frame's payload, without a proof. */
    public ByteBuffer payload() {
        return payload(null);
    }

    /** The frame's payload, followed by {@code proof} when it is not null. */
    public ByteBuffer payload(byte[] proof) {
        byte[] v = volume.getBytes(StandardCharsets.UTF_8);
        byte[] e = engine.getBytes(StandardCharsets.UTF_8);
        int extra = proof == null ? 0 : 2 + proof.length;
        if (4 + v.length + e.length + extra > MAX_PAYLOAD) {
            throw new IllegalArgumentException("hello of engine " + engine + " for volume " + volume + " is too long");
        }
        ByteBuffer b = ByteBuffer.allocate(4 + v.length + e.length + extra);
        b.putShort((short) v.length).put(v).putShort((short) e.length).put(e);
        if (proof != null) {
            b.putShort((short) proof.length).put(proof);
        }
        return b.flip();
    }

    /**
     * A hello as received, with the client's proof or null when it sent none.
     *
     * @param hello the hello
     * @param proof the proof bytes, or null
     */
    public record Signed(Hello hello, byte[] proof) {
    }

    /** The request frame that carries this hello with {@code id}. */
    public Frame frame(long id) {
        return Frame.request(MessageType.HELLO, id, generation, payload().remaining(), flags());
    }

    /**
     * Reads a hello from a HELLO frame and its payload (position 0 to limit).
     *
     * @throws ProtocolException when the payload is malformed
     */
    public static Hello decode(Frame frame, ByteBuffer payload) throws ProtocolException {
        return decodeSigned(frame, payload).hello();
    }

    /**
     * Reads a hello and its proof, if any, from a HELLO frame and its payload (position 0 to limit).
     *
     * @throws ProtocolException when the payload is malformed
     */
    public static Signed decodeSigned(Frame frame, ByteBuffer payload) throws ProtocolException {
        try {
            ByteBuffer b = payload.duplicate();
            if (b.remaining() > MAX_PAYLOAD) {
                throw new ProtocolException("hello of " + b.remaining() + " bytes exceeds " + MAX_PAYLOAD);
            }
            String volume = string(b);
            String engine = string(b);
            byte[] proof = null;
            if (b.hasRemaining()) {
                proof = new byte[b.getShort() & 0xffff];
                b.get(proof);
            }
            if (b.hasRemaining()) {
                throw new ProtocolException("hello has " + b.remaining() + " trailing bytes");
            }
            boolean readOnly = (frame.flags() & Frame.FLAG_READ_ONLY) != 0;
            return new Signed(new Hello(volume, frame.offset(), engine, readOnly), proof);
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
        if (readOnly) {
            return "reader " + engine + (volume.isEmpty() ? "" : " of volume " + volume);
        }
        return "engine " + engine + (volume.isEmpty() ? "" : " of volume " + volume) + " at generation " + generation;
    }
}
