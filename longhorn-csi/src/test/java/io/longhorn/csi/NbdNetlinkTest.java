package io.longhorn.csi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The byte layout of the generic netlink messages {@link NbdNetlink} sends and reads, without a
 * kernel. Netlink is in the host's byte order; the expected bytes are written for x86's and arm's
 * little-endian order.
 */
class NbdNetlinkTest {
    static final HexFormat HEX = HexFormat.of();

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the expected bytes are little-endian");
    }

    static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    @Test
    void theFamilyIsAskedForByNameWithAnAck() {
        byte[] m = NbdNetlink.getFamily(0x01020304);
        assertArrayEquals(hex(""
                + "1c000000 1000 0500 04030201 00000000"   // length 28, GENL_ID_CTRL 0x10, REQUEST|ACK, seq, port 0
                + "03 01 0000"                             // CTRL_CMD_GETFAMILY, version 1
                + "0800 0200 6e626400"),                   // CTRL_ATTR_FAMILY_NAME "nbd\0"
                m,
                "got " + HEX.formatHex(m));
    }

    @Test
    void aReconfigureCarriesTheIndexAsU32AndTheSizeAsU64() {
        byte[] m = NbdNetlink.reconfigure((short) 0x25, 7, 3, 128L << 20, null);
        assertArrayEquals(hex(""
                + "28000000 2500 0500 07000000 00000000"   // length 40, the nbd family, REQUEST|ACK, seq 7
                + "03 01 0000"                             // NBD_CMD_RECONFIGURE, NBD_GENL_VERSION 1
                + "0800 0100 03000000"                     // NBD_ATTR_INDEX = 3
                + "0c00 0200 0000000800000000"),           // NBD_ATTR_SIZE_BYTES = 128 MiB
                m, "got " + HEX.formatHex(m));
    }

    @Test
    void aBackendIdentifierIsSentPaddedToFourBytes() {
        byte[] m = NbdNetlink.reconfigure((short) 0x25, 7, 12, 1L << 40, "vol1");
        assertEquals(40 + 12, m.length);
        assertEquals(52, ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        assertArrayEquals(hex("0c00 0200 0000000000010000"), java.util.Arrays.copyOfRange(m, 28, 40));
        // length 9 (4 + "vol1\0"), NBD_ATTR_BACKEND_IDENTIFIER 10, then three bytes of padding
        assertArrayEquals(hex("0900 0a00 766f6c3100 000000"), java.util.Arrays.copyOfRange(m, 40, 52));
    }

    /** The controller's answer: a NEWFAMILY message with name and id, then the ACK. */
    static ByteBuffer familyAnswer(int seq, short id) {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        // CTRL_CMD_NEWFAMILY: name "nbd", id, version (u32), then the ack
        b.putInt(16 + 4 + 8 + 8 + 8).putShort((short) 0x10).putShort((short) 0).putInt(seq).putInt(4242);
        b.put((byte) 1).put((byte) 2).putShort((short) 0);
        b.putShort((short) 8).putShort((short) 2).put(new byte[] {'n', 'b', 'd', 0});
        b.putShort((short) 6).putShort((short) 1).putShort(id).putShort((short) 0);
        b.putShort((short) 8).putShort((short) 3).putInt(1);
        ack(b, seq, 0);
        return b.flip();
    }

    /** An NLMSG_ERROR for request {@code seq}: 0 is the ACK; the original header follows. */
    static void ack(ByteBuffer b, int seq, int error) {
        b.putInt(16 + 4 + 16).putShort((short) 2).putShort((short) 0x100).putInt(seq).putInt(4242);
        b.putInt(error);
        b.putInt(24).putShort((short) 0x25).putShort((short) 5).putInt(seq).putInt(0);
    }

    @Test
    void theFamilyIdIsReadFromTheControllersAnswer() throws Exception {
        assertEquals(0x25, NbdNetlink.familyId(familyAnswer(9, (short) 0x25), 9));
        assertTrue(NbdNetlink.hasAck(familyAnswer(9, (short) 0x25), 9));
        assertFalse(NbdNetlink.hasAck(familyAnswer(9, (short) 0x25), 10), "the ACK of another request");
    }

    @Test
    void anUnknownFamilyNamesEnoentAndTheModule() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        ack(b, 9, -2);
        NbdNetlink.NetlinkException e = assertThrows(NbdNetlink.NetlinkException.class,
                () -> NbdNetlink.familyId(b.flip(), 9));
        assertEquals(2, e.errno());
        assertTrue(e.getMessage().contains("ENOENT (errno 2)") && e.getMessage().contains("nbd module"), e.getMessage());
    }

    @Test
    void theAckOfAReconfigurePassesAndAnErrorNamesTheErrno() throws Exception {
        ByteBuffer ok = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        ack(ok, 11, 0);
        NbdNetlink.ack(ok.flip(), 11);

        ByteBuffer refused = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        ack(refused, 10, 0);  // an older request's ACK is not this one's
        ack(refused, 11, -22);
        NbdNetlink.NetlinkException e = assertThrows(NbdNetlink.NetlinkException.class,
                () -> NbdNetlink.ack(refused.flip(), 11));
        assertEquals(22, e.errno());
        assertEquals("EINVAL (errno 22)", e.getMessage());

        ByteBuffer other = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        ack(other, 10, 0);
        assertThrows(NbdNetlink.NetlinkException.class, () -> NbdNetlink.ack(other.flip(), 11));
    }

    @Test
    void aDeviceIsNamedByItsIndex() {
        assertEquals(3, NbdNetlink.index("/dev/nbd3"));
        assertEquals(127, NbdNetlink.index("/dev/nbd127"));
        assertThrows(IllegalArgumentException.class, () -> NbdNetlink.index("/dev/loop3"));
        assertThrows(IllegalArgumentException.class, () -> NbdNetlink.index("/dev/nbd3p1"));
        assertThrows(IllegalArgumentException.class, () -> NbdNetlink.resize("/dev/nbd3", 1000));
    }
}
