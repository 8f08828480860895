package io.longhorn.api.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FrameTest {

    @Test
    void headerRoundTripsThroughEncodeAndDecode() throws Exception {
        Frame f = Frame.request(MessageType.WRITE, 0x1234_5678_9abcL, 1L << 40, 4096, Frame.FLAG_FUA);
        ByteBuffer b = f.encode();
        assertEquals(Frame.HEADER_SIZE, b.remaining());
        Frame g = Frame.decode(b);
        assertEquals(f, g);
        assertTrue(g.fua());
        assertEquals(4096, g.payloadLength());
    }

    @Test
    void replyPayloadIsDataForReadsAndMessageForErrors() throws Exception {
        Frame read = Frame.request(MessageType.READ, 1, 0, 8192, 0);
        assertEquals(0, read.payloadLength());
        assertEquals(8192, Frame.ok(read, 8192).payloadLength());
        Frame err = Frame.error(read, WireStatus.EINVAL, 17);
        assertEquals(17, Frame.decode(err.encode()).payloadLength());
        Frame flush = Frame.request(MessageType.FLUSH, 2, 0, 0, 0);
        assertEquals(0, Frame.ok(flush, 0).payloadLength());
    }

    @Test
    void badMagicVersionTypeAndLengthAreProtocolErrors() {
        ByteBuffer b = Frame.request(MessageType.READ, 1, 0, 4096, 0).encode();
        b.put(0, (byte) 0);
        assertThrows(ProtocolException.class, () -> Frame.decode(b.duplicate()));
        ByteBuffer v = Frame.request(MessageType.READ, 1, 0, 4096, 0).encode();
        v.put(2, (byte) 9);
        assertTrue(assertThrows(ProtocolException.class, () -> Frame.decode(v)).getMessage().contains("version 9"));
        ByteBuffer t = Frame.request(MessageType.READ, 1, 0, 4096, 0).encode();
        t.put(3, (byte) 42);
        assertTrue(assertThrows(ProtocolException.class, () -> Frame.decode(t)).getMessage().contains("unknown frame type 42"));
        ByteBuffer l = Frame.request(MessageType.WRITE, 1, 0, Frame.MAX_PAYLOAD + 1, 0).encode();
        assertTrue(assertThrows(ProtocolException.class, () -> Frame.decode(l)).getMessage().contains("exceeds"));
    }
}
