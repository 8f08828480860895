package io.longhorn.engine.frontend.nbd;

import static io.longhorn.engine.frontend.nbd.NbdProtocol.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * The server side of the fixed newstyle handshake for one connection: greeting, client flags, then
 * option haggling until the client picks the export (NBD_OPT_GO or NBD_OPT_EXPORT_NAME) or gives up.
 *
 * <p>Option errors are answered with an error reply and haggling goes on, as the protocol asks.
 * A client that breaks the framing (wrong magic, unknown client flags, an absurd option length, or
 * an unknown export with NBD_OPT_EXPORT_NAME, which cannot be answered with an error) gets a
 * {@link HandshakeException} and its connection is closed.
 */
final class NbdHandshake {

    /** Longer options are not plausible: names are at most 4096 bytes. */
    static final int MAX_OPTION_LENGTH = 64 * 1024;
    private static final int MAX_NAME_LENGTH = 4096;

    private final String exportName;
    private final LongSupplier size;
    private final boolean multiConn;
    private final ChannelIo io;
    private final ByteBuffer out = ByteBuffer.allocate(8 * 1024);
    private boolean structured;

    /**
     * @param exportName the volume name; the default export "" also maps to it
     * @param size       the device size, read when the client picks the export
     * @param multiConn  whether to advertise NBD_FLAG_CAN_MULTI_CONN
     */
    NbdHandshake(String exportName, LongSupplier size, boolean multiConn, ChannelIo io) {
        this.exportName = exportName;
        this.size = size;
        this.multiConn = multiConn;
        this.io = io;
    }

    /** Runs the handshake; returns null when the client aborted it with NBD_OPT_ABORT. */
    Negotiated run() throws IOException {
        out.clear();
        out.putLong(NBDMAGIC).putLong(IHAVEOPT).putShort((short) (FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES));
        flush();
        int clientFlags = read(4).getInt();
        if ((clientFlags & ~(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES)) != 0) {
            throw new HandshakeException("unknown client flags 0x" + Integer.toHexString(clientFlags));
        }
        boolean noZeroes = (clientFlags & FLAG_C_NO_ZEROES) != 0;
        while (true) {
            ByteBuffer header = read(16);
            long magic = header.getLong();
            if (magic != IHAVEOPT) {
                throw new HandshakeException("bad option magic 0x" + Long.toHexString(magic));
            }
            int option = header.getInt();
            int length = header.getInt();
            if (length < 0 || length > MAX_OPTION_LENGTH) {
                throw new HandshakeException("option " + option + " has implausible length "
                        + Integer.toUnsignedString(length));
            }
            ByteBuffer data = read(length);
            switch (option) {
                case OPT_EXPORT_NAME -> {
                    String name = string(data, length);
                    if (name == null || !matches(name)) {
                        throw new HandshakeException("client asked for unknown export \"" + name + "\"");
                    }
                    Negotiated result = negotiated(name);
                    out.putLong(result.size()).putShort((short) result.transmissionFlags());
                    if (!noZeroes) {
                        out.put(new byte[124]);
                    }
                    flush();
                    return result;
                }
                case OPT_ABORT -> {
                    try {
                        reply(option, REP_ACK, null);
                        flush();
                    } catch (IOException ignored) {
                        // the client may close without waiting for the acknowledgement
                    }
                    return null;
                }
                case OPT_LIST -> {
                    if (length != 0) {
                        error(option, REP_ERR_INVALID, "NBD_OPT_LIST takes no data");
                    } else {
                        byte[] name = exportName.getBytes(StandardCharsets.UTF_8);
                        ByteBuffer server = ByteBuffer.allocate(4 + name.length).putInt(name.length).put(name);
                        reply(option, REP_SERVER, server.flip());
                        reply(option, REP_ACK, null);
                    }
                }
                case OPT_STRUCTURED_REPLY -> {
                    if (length != 0) {
                        error(option, REP_ERR_INVALID, "NBD_OPT_STRUCTURED_REPLY takes no data");
                    } else {
                        structured = true;
                        reply(option, REP_ACK, null);
                    }
                }
                case OPT_INFO, OPT_GO -> {
                    Negotiated result = info(option, data, length);
                    if (result != null && option == OPT_GO) {
                        return result;
                    }
                }
                case OPT_STARTTLS -> error(option, REP_ERR_POLICY, "TLS is not offered by this server");
                default -> error(option, REP_ERR_UNSUP, "option " + option + " is not supported");
            }
            flush();
        }
    }

    /** Answers NBD_OPT_INFO / NBD_OPT_GO; returns the negotiation when the export was found. */
    private Negotiated info(int option, ByteBuffer data, int length) throws IOException {
        if (length < 6) {
            error(option, REP_ERR_INVALID, "option data too short");
            return null;
        }
        int nameLength = data.getInt();
        if (nameLength < 0 || nameLength > MAX_NAME_LENGTH || 4L + nameLength + 2 > length) {
            error(option, REP_ERR_INVALID, "export name length out of range");
            return null;
        }
        String name = string(data, nameLength);
        int requests = Short.toUnsignedInt(data.getShort());
        if (4 + nameLength + 2 + 2 * requests != length) {
            error(option, REP_ERR_INVALID, "number of information requests does not match the length");
            return null;
        }
        if (name == null) {
            error(option, REP_ERR_INVALID, "export name is not UTF-8");
            return null;
        }
        boolean wantName = false;
        for (int i = 0; i < requests; i++) {
            wantName |= data.getShort() == INFO_NAME;
        }
        if (!matches(name)) {
            error(option, REP_ERR_UNKNOWN, "unknown export \"" + name + "\"; this server exports \""
                    + exportName + "\"");
            return null;
        }
        Negotiated result = negotiated(name);
        reply(option, REP_INFO, ByteBuffer.allocate(12).putShort((short) INFO_EXPORT)
                .putLong(result.size()).putShort((short) result.transmissionFlags()).flip());
        // Sent whether asked or not (the protocol allows it): a minimum of 1 tells clients that
        // unaligned requests are fine, 4096 is what replicas handle without read-modify-write.
        reply(option, REP_INFO, ByteBuffer.allocate(14).putShort((short) INFO_BLOCK_SIZE)
                .putInt(MIN_BLOCK_SIZE).putInt(PREFERRED_BLOCK_SIZE).putInt(MAX_PAYLOAD).flip());
        if (wantName) {
            byte[] bytes = exportName.getBytes(StandardCharsets.UTF_8);
            reply(option, REP_INFO, ByteBuffer.allocate(2 + bytes.length).putShort((short) INFO_NAME)
                    .put(bytes).flip());
        }
        reply(option, REP_ACK, null);
        flush();
        return result;
    }

    private Negotiated negotiated(String name) {
        int flags = TFLAG_HAS_FLAGS | TFLAG_SEND_FLUSH | TFLAG_SEND_FUA | TFLAG_SEND_TRIM
                | TFLAG_SEND_WRITE_ZEROES;
        if (multiConn) {
            flags |= TFLAG_CAN_MULTI_CONN;
        }
        if (structured) {
            // A read is always answered with one data chunk, so "don't fragment" costs nothing.
            flags |= TFLAG_SEND_DF;
        }
        return new Negotiated(name, size.getAsLong(), flags, structured);
    }

    private boolean matches(String name) {
        return name.isEmpty() || name.equals(exportName);
    }

    private void error(int option, int type, String message) throws IOException {
        reply(option, type, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
    }

    private void reply(int option, int type, ByteBuffer data) throws IOException {
        int length = data == null ? 0 : data.remaining();
        if (out.remaining() < 20 + length) {
            flush();
        }
        out.putLong(OPTION_REPLY_MAGIC).putInt(option).putInt(type).putInt(length);
        if (data != null) {
            out.put(data);
        }
    }

    private void flush() throws IOException {
        out.flip();
        io.writeFully(out);
        out.clear();
    }

    private ByteBuffer read(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        io.readFully(b);
        return b.flip();
    }

    /** Decodes n bytes as strict UTF-8, or null when they are not. */
    private static String string(ByteBuffer data, int n) {
        ByteBuffer slice = data.slice(data.position(), n);
        data.position(data.position() + n);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
