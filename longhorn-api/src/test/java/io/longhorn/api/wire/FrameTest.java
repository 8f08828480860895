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

    @Test
    void lengthIsUnsignedSoRangesOfTwoGibibytesAndMoreDecode() throws Exception {
        for (long len : new long[] {1L << 31, 0xFFFF_F000L, 0xFFFF_FFFFL}) {
            for (MessageType t : new MessageType[] {MessageType.WRITE_ZEROES, MessageType.UNMAP, MessageType.READ}) {
                Frame f = Frame.decode(Frame.request(t, 7, 1L << 33, (int) len, 0).encode());
                assertEquals(len, f.byteLength(), t + " of " + len);
                assertEquals(0, f.payloadLength(), "a request without payload announces none");
                if (t != MessageType.READ) {
                    assertEquals(len, Frame.decode(Frame.ok(f, f.length()).encode()).byteLength(), "a reply without payload");
                }
            }
        }
    }

    @Test
    void aPayloadOverTheLimitIsAProtocolErrorWhateverTheSignOfTheLength() {
        for (long len : new long[] {Frame.MAX_PAYLOAD + 1L, 1L << 31, 0xFFFF_FFFFL}) {
            ByteBuffer w = Frame.request(MessageType.WRITE, 1, 0, (int) len, 0).encode();
            String m = assertThrows(ProtocolException.class, () -> Frame.decode(w)).getMessage();
            assertTrue(m.contains("exceeds") && m.contains(Long.toString(len)), m);
            Frame read = Frame.request(MessageType.READ, 2, 0, 4096, 0);
            ByteBuffer r = Frame.ok(read, (int) len).encode();
            assertThrows(ProtocolException.class, () -> Frame.decode(r));
            ByteBuffer e = Frame.error(read, WireStatus.EINVAL, (int) len).encode();
            assertThrows(ProtocolException.class, () -> Frame.decode(e));
        }
    }
}
