package io.longhorn.api.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The fixed 32-byte header that starts every frame of the engine-replica data protocol.
 *
 * <pre>
 *  0  u16 magic   0x4C48 ("LH")
 *  2  u8  version 1
 *  3  u8  type    request code (MessageType), | 0x80 in replies
 *  4  u16 flags   FLAG_FUA (writes), FLAG_READ_ONLY (HELLO)
 *  6  u16 reserved, 0
 *  8  u64 id      chosen by the requester, echoed in the reply
 * 16  u64 offset  byte offset in the volume
 * 24  u32 length  bytes addressed, unsigned; also the size of the payload that follows (see below)
 * 28  u32 status  0 in requests; WireStatus in replies
 * </pre>
 *
 * A payload of {@code length} bytes follows a WRITE request, a HELLO request (see {@link Hello};
 * its offset field carries the engine's generation), an AUTH request, a READ_SNAPSHOT request (its
 * payload names the snapshot and the number of bytes to read, see {@link SnapshotRead}; the
 * offset field is the volume offset), a successful READ, READ_SNAPSHOT, HELLO or AUTH reply (for
 * HELLO and AUTH the length may be 0), and an error
 * reply (a UTF-8 message, with {@code length} then being the message size). Nothing follows any
 * other frame. Many requests may be in flight on one connection; replies come in any order and are
 * matched by id. Big-endian, like NBD.
 *
 * <p>The length is unsigned: a WRITE_ZEROES or UNMAP may address up to 4 GiB - 1 bytes in one
 * frame. Java has no u32, so the record holds the field's bits in an {@code int}; read its value
 * with {@link #byteLength()}. A frame that carries a payload (a WRITE request, a READ reply, an
 * error reply) may not announce more than {@link #MAX_PAYLOAD} bytes: that is a protocol error,
 * since the receiver cannot skip it. A READ request asking for more is well-formed; the replica
 * refuses it with EINVAL.
 *
 * @param type      the request type
 * @param reply     whether this frame is a reply
 * @param flags     FLAG_* bits
 * @param id        request id
 * @param offset    byte offset
 * @param length    byte length (or payload length of an error reply), an unsigned 32-bit value
 * @param status    reply status, WireStatus
 */
public record Frame(MessageType type, boolean reply, int flags, long id, long offset, int length, int status) {

    public static final int HEADER_SIZE = 32;
    public static final short MAGIC = 0x4C48;
    public static final int VERSION = 1;
    /** Force unit access: the replica makes this write durable before replying. */
    public static final int FLAG_FUA = 1;
    /**
     * On a HELLO: the connection only reads (a backup). The replica admits it whatever generation
     * an engine recorded, never fences it off, and refuses every write, write-zeroes and unmap on it.
     */
    public static final int FLAG_READ_ONLY = 2;
    /** Largest payload of one frame. Bigger I/O is split by the sender. */
    public static final int MAX_PAYLOAD = 32 << 20;

    public static Frame request(MessageType type, long id, long offset, int length, int flags) {
        return new Frame(type, false, flags, id, offset, length, WireStatus.OK);
    }

    public static Frame ok(Frame request, int payloadLength) {
        return new Frame(request.type, true, 0, request.id, request.offset, payloadLength, WireStatus.OK);
    }

    public static Frame error(Frame request, int status, int messageLength) {
        return new Frame(request.type, true, 0, request.id, request.offset, messageLength, status);
    }

    /** The length field's unsigned value. */
    public long byteLength() {
        return Integer.toUnsignedLong(length);
    }

    /** Whether a payload of {@code length} bytes follows this header on the wire. */
    public boolean hasPayload() {
        if (!reply) {
            return type == MessageType.WRITE || type == MessageType.HELLO || type == MessageType.AUTH
                    || type == MessageType.READ_SNAPSHOT;
        }
        return status != WireStatus.OK || type == MessageType.READ || type == MessageType.READ_SNAPSHOT || handshake();
    }

    private boolean handshake() {
        return type == MessageType.HELLO || type == MessageType.AUTH;
    }

    /** Bytes of payload that follow this header on the wire. */
    public int payloadLength() {
        return hasPayload() ? length : 0;
    }

    public boolean fua() {
        return (flags & FLAG_FUA) != 0;
    }

    /** Writes the header at the buffer's position and advances it by {@link #HEADER_SIZE}. */
    public void encode(ByteBuffer out) {
        ByteBuffer b = out.order() == ByteOrder.BIG_ENDIAN ? out : out.duplicate().order(ByteOrder.BIG_ENDIAN);
        int start = b.position();
        b.putShort(MAGIC);
        b.put((byte) VERSION);
        b.put((byte) (type.code() | (reply ? MessageType.REPLY_BIT : 0)));
        b.putShort((short) flags);
        b.putShort((short) 0);
        b.putLong(id);
        b.putLong(offset);
        b.putInt(length);
        b.putInt(status);
        if (b != out) {
            out.position(start + HEADER_SIZE);
        }
    }

    public ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
        encode(b);
        return b.flip();
    }

    /**
     * Reads a header at the buffer's position (which must have {@link #HEADER_SIZE} bytes) and
     * advances it.
     *
     * @throws ProtocolException when the bytes are not a valid header
     */
    public static Frame decode(ByteBuffer in) throws ProtocolException {
        ByteBuffer b = in.order() == ByteOrder.BIG_ENDIAN ? in : in.duplicate().order(ByteOrder.BIG_ENDIAN);
        int start = b.position();
        short magic = b.getShort();
        if (magic != MAGIC) {
            throw new ProtocolException(String.format("bad frame magic 0x%04x, expected 0x%04x", magic & 0xffff, MAGIC));
        }
        int version = b.get() & 0xff;
        if (version != VERSION) {
            throw new ProtocolException("unsupported protocol version " + version + ", expected " + VERSION);
        }
        int typeByte = b.get() & 0xff;
        MessageType type = MessageType.ofCode(typeByte & ~MessageType.REPLY_BIT);
        if (type == null) {
            throw new ProtocolException("unknown frame type " + typeByte);
        }
        int flags = b.getShort() & 0xffff;
        b.getShort();
        long id = b.getLong();
        long offset = b.getLong();
        int length = b.getInt();
        int status = b.getInt();
        if (in != b) {
            in.position(start + HEADER_SIZE);
        }
        boolean reply = (typeByte & MessageType.REPLY_BIT) != 0;
        if (offset < 0) {
            throw new ProtocolException("negative offset " + offset + " in frame " + id);
        }
        Frame f = new Frame(type, reply, flags, id, offset, length, status);
        if (f.hasPayload() && f.byteLength() > MAX_PAYLOAD) {
            throw new ProtocolException("frame " + id + " (" + type + (reply ? " reply" : "") + ") announces a payload of "
                    + f.byteLength() + " bytes, which exceeds the limit of " + MAX_PAYLOAD + " bytes");
        }
        return f;
    }
}
