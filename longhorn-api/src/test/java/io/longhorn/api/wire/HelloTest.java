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
    void anEngineIdIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> new Hello("vol1", 1, ""));
        assertThrows(IllegalArgumentException.class, () -> new Hello("vol1", -1, "e"));
    }
}
