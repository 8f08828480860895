package io.longhorn.engine.frontend.nbd;

import static io.longhorn.engine.frontend.nbd.NbdProtocol.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server's handshake against a hand-driven client over a loopback socket pair. */
class NbdHandshakeTest {

    private static final long SIZE = 64L << 20;
    private ServerSocketChannel listener;
    private Socket client;
    private DataInputStream fromServer;
    private DataOutputStream toServer;
    private ChannelIo serverSide;
    private CompletableFuture<Negotiated> result;

    @BeforeEach
    void connect() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        client = new Socket();
        client.connect(listener.getLocalAddress());
        client.setSoTimeout(10_000);
        serverSide = new ChannelIo(listener.accept());
        serverSide.deadlineIn(TimeUnit.SECONDS.toNanos(10));
        fromServer = new DataInputStream(client.getInputStream());
        toServer = new DataOutputStream(client.getOutputStream());
        NbdHandshake handshake = new NbdHandshake("vol1", () -> SIZE, true, serverSide);
        result = CompletableFuture.supplyAsync(() -> {
            try {
                return handshake.run();
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        serverSide.close();
        listener.close();
    }

    @Test
    void serverGreetsWithFixedNewstyleAndNoZeroes() throws IOException {
        assertEquals(NBDMAGIC, fromServer.readLong());
        assertEquals(IHAVEOPT, fromServer.readLong());
        assertEquals(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES, fromServer.readUnsignedShort());
    }

    @Test
    void goOnTheDefaultExportReportsSizeFlagsAndBlockSizes() throws Exception {
        greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
        sendGo(OPT_GO, "", INFO_BLOCK_SIZE);
        Reply export = readReply(OPT_GO);
        assertEquals(REP_INFO, export.type);
        assertEquals(INFO_EXPORT, export.data.getShort());
        assertEquals(SIZE, export.data.getLong());
        int flags = Short.toUnsignedInt(export.data.getShort());
        int expected = TFLAG_HAS_FLAGS | TFLAG_SEND_FLUSH | TFLAG_SEND_FUA | TFLAG_SEND_TRIM
                | TFLAG_SEND_WRITE_ZEROES | TFLAG_CAN_MULTI_CONN;
        assertEquals(expected, flags);
        Reply blockSize = readReply(OPT_GO);
        assertEquals(REP_INFO, blockSize.type);
        assertEquals(INFO_BLOCK_SIZE, blockSize.data.getShort());
        assertEquals(1, blockSize.data.getInt());
        assertEquals(4096, blockSize.data.getInt());
        assertEquals(32 << 20, blockSize.data.getInt());
        assertEquals(REP_ACK, readReply(OPT_GO).type);
        Negotiated n = result.get(10, TimeUnit.SECONDS);
        assertEquals("", n.exportName());
        assertEquals(SIZE, n.size());
        assertEquals(expected, n.transmissionFlags());
    }

    @Test
    void unknownExportWithGoIsAnErrorAndHagglingGoesOn() throws Exception {
        greet(FLAG_C_FIXED_NEWSTYLE);
        sendGo(OPT_GO, "nope");
        Reply r = readReply(OPT_GO);
        assertEquals(REP_ERR_UNKNOWN, r.type);
        assertTrue(r.text().contains("nope"), r.text());
        sendGo(OPT_INFO, "vol1", INFO_NAME);
        assertEquals(INFO_EXPORT, readReply(OPT_INFO).data.getShort());
        assertEquals(INFO_BLOCK_SIZE, readReply(OPT_INFO).data.getShort());
        Reply name = readReply(OPT_INFO);
        assertEquals(INFO_NAME, name.data.getShort());
        assertEquals("vol1", StandardCharsets.UTF_8.decode(name.data).toString());
        assertEquals(REP_ACK, readReply(OPT_INFO).type);
        sendGo(OPT_GO, "vol1");
        readReply(OPT_GO);
        readReply(OPT_GO);
        assertEquals(REP_ACK, readReply(OPT_GO).type);
        assertEquals("vol1", result.get(10, TimeUnit.SECONDS).exportName());
    }

    @Test
    void listNamesTheVolumeAndUnknownOptionsAreUnsupported() throws Exception {
        greet(FLAG_C_FIXED_NEWSTYLE);
        sendOption(OPT_LIST, new byte[0]);
        Reply server = readReply(OPT_LIST);
        assertEquals(REP_SERVER, server.type);
        assertEquals(4, server.data.getInt());
        assertEquals("vol1", StandardCharsets.UTF_8.decode(server.data).toString());
        assertEquals(REP_ACK, readReply(OPT_LIST).type);
        sendOption(9999, new byte[] {1, 2, 3});
        assertEquals(REP_ERR_UNSUP, readReply(9999).type);
        sendOption(OPT_LIST, new byte[] {1});
        assertEquals(REP_ERR_INVALID, readReply(OPT_LIST).type);
        sendOption(OPT_STARTTLS, new byte[0]);
        assertTrue(readReply(OPT_STARTTLS).type < 0, "STARTTLS is refused with an error reply");
        sendOption(OPT_ABORT, new byte[0]);
        assertEquals(REP_ACK, readReply(OPT_ABORT).type);
        assertNull(result.get(10, TimeUnit.SECONDS));
    }

    @Test
    void structuredRepliesAreNegotiatedAndAddDontFragment() throws Exception {
        greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
        sendOption(OPT_STRUCTURED_REPLY, new byte[] {0});
        assertEquals(REP_ERR_INVALID, readReply(OPT_STRUCTURED_REPLY).type);
        sendOption(OPT_STRUCTURED_REPLY, new byte[0]);
        assertEquals(REP_ACK, readReply(OPT_STRUCTURED_REPLY).type);
        sendGo(OPT_GO, "vol1");
        readReply(OPT_GO);
        readReply(OPT_GO);
        readReply(OPT_GO);
        Negotiated n = result.get(10, TimeUnit.SECONDS);
        assertTrue(n.structuredReplies());
        assertEquals(TFLAG_SEND_DF, n.transmissionFlags() & TFLAG_SEND_DF);
    }

    @Test
    void malformedInfoRequestsGetInvalid() throws Exception {
        greet(FLAG_C_FIXED_NEWSTYLE);
        // Name length claims 100 bytes, but the option holds 4.
        sendOption(OPT_GO, ByteBuffer.allocate(10).putInt(100).put("vol1".getBytes()).putShort((short) 0).array());
        assertEquals(REP_ERR_INVALID, readReply(OPT_GO).type);
        // Two information requests announced, one sent.
        sendOption(OPT_GO, ByteBuffer.allocate(12).putInt(4).put("vol1".getBytes()).putShort((short) 2)
                .putShort((short) 3).array());
        assertEquals(REP_ERR_INVALID, readReply(OPT_GO).type);
        sendOption(OPT_ABORT, new byte[0]);
        assertEquals(REP_ACK, readReply(OPT_ABORT).type);
    }

    @Test
    void exportNameSendsSizeFlagsAndZeroPaddingUnlessNoZeroes() throws Exception {
        greet(FLAG_C_FIXED_NEWSTYLE);
        sendOption(OPT_EXPORT_NAME, "vol1".getBytes());
        assertEquals(SIZE, fromServer.readLong());
        assertEquals(TFLAG_HAS_FLAGS, fromServer.readUnsignedShort() & TFLAG_HAS_FLAGS);
        byte[] padding = new byte[124];
        fromServer.readFully(padding);
        assertArrayEquals(new byte[124], padding);
        assertEquals("vol1", result.get(10, TimeUnit.SECONDS).exportName());
    }

    @Test
    void exportNameWithNoZeroesSendsNoPadding() throws Exception {
        greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
        sendOption(OPT_EXPORT_NAME, new byte[0]);
        assertEquals(SIZE, fromServer.readLong());
        fromServer.readUnsignedShort();
        assertEquals("", result.get(10, TimeUnit.SECONDS).exportName());
        assertEquals(0, fromServer.available(), "nothing follows the flags");
    }

    @Test
    void unknownExportWithExportNameFailsTheHandshake() throws Exception {
        greet(FLAG_C_FIXED_NEWSTYLE);
        sendOption(OPT_EXPORT_NAME, "other".getBytes());
        assertHandshakeFailed("unknown export");
    }

    @Test
    void unknownClientFlagsFailTheHandshake() throws Exception {
        greet(1 << 7);
        assertHandshakeFailed("unknown client flags");
    }

    @Test
    void garbageInsteadOfAnOptionFailsTheHandshake() throws Exception {
        greet(FLAG_C_FIXED_NEWSTYLE);
        toServer.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
        toServer.flush();
        assertHandshakeFailed("bad option magic");
    }

    @Test
    void anImplausibleOptionLengthFailsTheHandshake() throws Exception {
        greet(FLAG_C_FIXED_NEWSTYLE);
        toServer.writeLong(IHAVEOPT);
        toServer.writeInt(OPT_GO);
        toServer.writeInt(-1);
        toServer.flush();
        assertHandshakeFailed("implausible length");
    }

    @Test
    void aClientThatHangsUpMidHandshakeEndsItQuietly() throws Exception {
        greet(FLAG_C_FIXED_NEWSTYLE);
        toServer.writeLong(IHAVEOPT);
        toServer.flush();
        client.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(10, TimeUnit.SECONDS));
        assertInstanceOf(EOFException.class, e.getCause());
    }

    // ------------------------------------------------------------------ client side helpers

    private void greet(int clientFlags) throws IOException {
        fromServer.readLong();
        fromServer.readLong();
        fromServer.readUnsignedShort();
        toServer.writeInt(clientFlags);
        toServer.flush();
    }

    private void sendGo(int option, String name, int... infos) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + n.length + 2 + 2 * infos.length).putInt(n.length).put(n)
                .putShort((short) infos.length);
        for (int i : infos) {
            b.putShort((short) i);
        }
        sendOption(option, b.array());
    }

    private void sendOption(int option, byte[] data) throws IOException {
        toServer.writeLong(IHAVEOPT);
        toServer.writeInt(option);
        toServer.writeInt(data.length);
        toServer.write(data);
        toServer.flush();
    }

    private record Reply(int type, ByteBuffer data) {
        String text() {
            return StandardCharsets.UTF_8.decode(data.duplicate()).toString();
        }
    }

    private Reply readReply(int option) throws IOException {
        assertEquals(OPTION_REPLY_MAGIC, fromServer.readLong());
        assertEquals(option, fromServer.readInt());
        int type = fromServer.readInt();
        byte[] data = new byte[fromServer.readInt()];
        fromServer.readFully(data);
        return new Reply(type, ByteBuffer.wrap(data));
    }

    private void assertHandshakeFailed(String why) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(10, TimeUnit.SECONDS));
        HandshakeException h = assertInstanceOf(HandshakeException.class, e.getCause());
        assertTrue(h.getMessage().contains(why), h.getMessage());
    }
}
