package io.longhorn.api.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class HelloTest {

    @Test
    void aHelloTravelsAsAFrameWithItsGenerationInTheOffsetAndItsNamesInThePayload() throws Exception {
        Hello h = new Hello("vol1", 7, "vol1-3f2a");
        Frame f = Frame.decode(h.frame(1).encode());
        assertEquals(MessageType.HELLO, f.type());
        assertEquals(7, f.offset());
        assertTrue(f.hasPayload());
        assertEquals(h.payload().remaining(), f.payloadLength());
        assertEquals(h, Hello.decode(f, h.payload()));
    }

    @Test
    void aToolThatServesNoVolumeSendsAnEmptyName() throws Exception {
        Hello h = new Hello("", 0, "restore-1");
        assertEquals(h, Hello.decode(h.frame(1), h.payload()));
    }

    @Test
    void aMalformedPayloadIsAProtocolError() {
        Frame f = Frame.request(MessageType.HELLO, 1, 3, 5, 0);
        assertThrows(ProtocolException.class, () -> Hello.decode(f, ByteBuffer.wrap(new byte[] {0, 9, 'a', 'b', 'c'})));
        assertThrows(ProtocolException.class, () -> Hello.decode(f, ByteBuffer.wrap(new byte[] {0, 1, 'a', 0, 0})),
                "an engine id is required");
        assertThrows(ProtocolException.class, () -> Hello.decode(f, ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 'e', 'x'})),
                "trailing bytes");
    }

    @Test
    void aReadersHelloCarriesTheReadOnlyFlagInItsFrame() throws Exception {
        Hello h = Hello.reader("vol1", "backup-1");
        Frame f = Frame.decode(h.frame(1).encode());
        assertEquals(Frame.FLAG_READ_ONLY, f.flags());
        Hello back = Hello.decode(f, h.payload());
        assertTrue(back.readOnly());
        assertEquals(h, back);
        assertEquals(false, Hello.decode(new Hello("vol1", 0, "backup-1").frame(1), h.payload()).readOnly());
    }

    @Test
    void aSnapshotReadNamesItsSnapshotAndLengthAndBadPayloadsNameTheField() {
        SnapshotRead r = new SnapshotRead("s1", 2 << 20);
        assertEquals(r, SnapshotRead.decode(r.payload()));
        assertEquals(2 << 20, SnapshotRead.requestedLength(r.payload()));
        IllegalArgumentException shortOne = assertThrows(IllegalArgumentException.class,
                () -> SnapshotRead.decode(ByteBuffer.wrap(new byte[] {0, 0, 16})));
        assertTrue(shortOne.getMessage().contains("at least 6"), shortOne.getMessage());
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> SnapshotRead.decode(ByteBuffer.wrap(new byte[] {0, 0, 16, 0, 0, 5, 's', '1'})));
        assertTrue(name.getMessage().contains("announces 5 bytes"), name.getMessage());
        IllegalArgumentException utf8 = assertThrows(IllegalArgumentException.class,
                () -> SnapshotRead.decode(ByteBuffer.wrap(new byte[] {0, 0, 16, 0, 0, 1, (byte) 0xff})));
        assertTrue(utf8.getMessage().startsWith("snapshot:"), utf8.getMessage());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> SnapshotRead.decode(ByteBuffer.wrap(new byte[] {0x7f, 0, 0, 0, 0, 1, 's'})));
        assertTrue(big.getMessage().startsWith("length:"), big.getMessage());
        assertTrue(Frame.request(MessageType.READ_SNAPSHOT, 1, 0, 8, 0).hasPayload());
    }

    @Test
    void anEngineIdIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> new Hello("vol1", 1, ""));
        assertThrows(IllegalArgumentException.class, () -> new Hello("vol1", -1, "e"));
    }
}
