package io.longhorn.engine.frontend.nbd;

import static io.longhorn.engine.frontend.nbd.NbdProtocol.*;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal NBD client for protocol-level tests: raw requests, raw replies. */
final class RawNbdClient implements AutoCloseable {

    /** A simple reply or one structured chunk. */
    record Reply(boolean structured, int flags, int type, long handle, int error, byte[] payload) {
    }

    private final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;
    long size;
    int transmissionFlags;

    private RawNbdClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address);
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    /** Connects without any handshake. */
    static RawNbdClient connectRaw(InetSocketAddress address) throws IOException {
        return new RawNbdClient(address);
    }

    /** Connects with NBD_OPT_EXPORT_NAME (simple replies only). */
    static RawNbdClient connect(InetSocketAddress address, String export) throws IOException {
        RawNbdClient c = new RawNbdClient(address);
        c.greet();
        c.option(OPT_EXPORT_NAME, export.getBytes(StandardCharsets.UTF_8));
        c.size = c.in.readLong();
        c.transmissionFlags = c.in.readUnsignedShort();
        return c;
    }

    /** Connects with NBD_OPT_STRUCTURED_REPLY then NBD_OPT_GO. */
    static RawNbdClient connectStructured(InetSocketAddress address, String export) throws IOException {
        RawNbdClient c = new RawNbdClient(address);
        c.greet();
        c.option(OPT_STRUCTURED_REPLY, new byte[0]);
        c.expectOptionReply(OPT_STRUCTURED_REPLY, REP_ACK);
        byte[] name = export.getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer go = java.nio.ByteBuffer.allocate(6 + name.length).putInt(name.length).put(name)
                .putShort((short) 0);
        c.option(OPT_GO, go.array());
        while (true) {
            c.in.readLong();
            c.in.readInt();
            int type = c.in.readInt();
            byte[] data = new byte[c.in.readInt()];
            c.in.readFully(data);
            if (type == REP_ACK) {
                return c;
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data);
            if (type == REP_INFO && b.getShort() == INFO_EXPORT) {
                c.size = b.getLong();
                c.transmissionFlags = Short.toUnsignedInt(b.getShort());
            } else if (type != REP_INFO) {
                throw new IOException("NBD_OPT_GO failed with reply type 0x" + Integer.toHexString(type));
            }
        }
    }

    private void greet() throws IOException {
        in.readLong();
        in.readLong();
        in.readUnsignedShort();
        out.writeInt(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
    }

    private void option(int option, byte[] data) throws IOException {
        out.writeLong(IHAVEOPT);
        out.writeInt(option);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
    }

    private void expectOptionReply(int option, int type) throws IOException {
        in.readLong();
        if (in.readInt() != option) {
            throw new IOException("reply to another option");
        }
        int got = in.readInt();
        in.skipNBytes(in.readInt());
        if (got != type) {
            throw new IOException("option reply type 0x" + Integer.toHexString(got));
        }
    }

    void send(int type, int flags, long handle, long offset, long length, byte[] payload) throws IOException {
        out.writeInt(REQUEST_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(handle);
        out.writeLong(offset);
        out.writeInt((int) length);
        if (payload != null) {
            out.write(payload);
        }
    }

    void flushOut() throws IOException {
        out.flush();
    }

    /** Reads a simple reply; {@code dataLength} bytes follow it when it is a successful read. */
    Reply readSimple(int dataLength) throws IOException {
        int magic = in.readInt();
        if (magic != SIMPLE_REPLY_MAGIC) {
            throw new IOException("expected a simple reply, got magic 0x" + Integer.toHexString(magic));
        }
        int error = in.readInt();
        long handle = in.readLong();
        byte[] data = new byte[error == 0 ? dataLength : 0];
        in.readFully(data);
        return new Reply(false, 0, 0, handle, error, data);
    }

    /** Reads any reply; simple replies to reads must be read with {@link #readSimple}. */
    Reply readAny() throws IOException {
        int magic = in.readInt();
        if (magic == SIMPLE_REPLY_MAGIC) {
            int error = in.readInt();
            return new Reply(false, 0, 0, in.readLong(), error, new byte[0]);
        }
        if (magic != STRUCTURED_REPLY_MAGIC) {
            throw new IOException("bad reply magic 0x" + Integer.toHexString(magic));
        }
        int flags = in.readUnsignedShort();
        int type = in.readUnsignedShort();
        long handle = in.readLong();
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        int error = (type & 0x8000) != 0 ? java.nio.ByteBuffer.wrap(payload).getInt() : 0;
        return new Reply(true, flags, type, handle, error, payload);
    }

    /** True when the server closed the connection (EOF on read). */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
