package io.longhorn.api.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FrameConnectionTest {

    /**
     * A payload buffer is handed back by onClosed (a client fails the request and its owner reuses
     * the buffer): that must not happen while the I/O thread may still copy into it.
     */
    @Test
    void onClosedRunsOnlyAfterTheIoThreadStoppedFillingPayloadBuffers() throws Exception {
        CountDownLatch midPayload = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch closedCalled = new CountDownLatch(1);
        AtomicBoolean ioThreadBusy = new AtomicBoolean();
        AtomicBoolean handedBackWhileBusy = new AtomicBoolean();
        AtomicInteger closedCalls = new AtomicInteger();
        FrameConnection.Handler handler = new FrameConnection.Handler() {
            @Override
            public ByteBuffer payloadBuffer(Frame frame) {
                return ByteBuffer.allocate(frame.payloadLength());
            }

            @Override
            public void onFrame(Frame frame, ByteBuffer payload) {
            }

            @Override
            public void onReadBatchEnd() {
                if (midPayload.getCount() > 0) {
                    // Part of the payload is in its buffer; hold the I/O thread here, as a slow
                    // copy would, while another thread closes the connection.
                    ioThreadBusy.set(true);
                    midPayload.countDown();
                    try {
                        release.await(1, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ioThreadBusy.set(false);
                }
            }

            @Override
            public void onClosed(Throwable cause) {
                handedBackWhileBusy.compareAndSet(false, ioThreadBusy.get());
                closedCalls.incrementAndGet();
                closedCalled.countDown();
            }
        };
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel peer = SocketChannel.open(server.getLocalAddress())) {
            FrameConnection c = FrameConnection.create(server.accept(), "test peer", handler).start();
            ByteBuffer out = ByteBuffer.allocate(Frame.HEADER_SIZE + (16 << 10));
            Frame.request(MessageType.WRITE, 1, 0, 64 << 10, 0).encode(out);
            out.position(out.capacity()).flip(); // the header and a quarter of the payload
            while (out.hasRemaining()) {
                peer.write(out);
            }
            assertTrue(midPayload.await(1, TimeUnit.MINUTES), "the I/O thread never received the payload");
            c.close();
            release.countDown();
            assertTrue(closedCalled.await(1, TimeUnit.MINUTES), "onClosed never ran");
            assertFalse(handedBackWhileBusy.get(), "onClosed ran while the I/O thread was filling a payload buffer");
            assertEquals(1, closedCalls.get());
            assertFalse(c.isOpen());
        }
    }

    @Test
    void onClosedRunsOnTheClosingThreadWhenTheIoThreadNeverStarted() throws Exception {
        AtomicInteger closedCalls = new AtomicInteger();
        FrameConnection.Handler handler = new FrameConnection.Handler() {
            @Override
            public ByteBuffer payloadBuffer(Frame frame) {
                return ByteBuffer.allocate(frame.payloadLength());
            }

            @Override
            public void onFrame(Frame frame, ByteBuffer payload) {
            }

            @Override
            public void onClosed(Throwable cause) {
                closedCalls.incrementAndGet();
            }
        };
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel peer = SocketChannel.open(server.getLocalAddress())) {
            FrameConnection c = FrameConnection.create(server.accept(), "test peer", handler);
            c.close();
            c.close();
            assertEquals(1, closedCalls.get());
        }
    }

    @Test
    void framesSentInsideABatchLeaveOnlyWhenTheOutermostBatchCloses() throws Exception {
        FrameConnection.Handler handler = new FrameConnection.Handler() {
            @Override
            public ByteBuffer payloadBuffer(Frame frame) {
                return ByteBuffer.allocate(frame.payloadLength());
            }

            @Override
            public void onFrame(Frame frame, ByteBuffer payload) {
            }

            @Override
            public void onClosed(Throwable cause) {
            }
        };
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel peerA = SocketChannel.open(server.getLocalAddress());
             SocketChannel acceptedA = server.accept();
             SocketChannel peerB = SocketChannel.open(server.getLocalAddress());
             SocketChannel acceptedB = server.accept()) {
            FrameConnection a = FrameConnection.create(acceptedA, "peer a", handler).start();
            FrameConnection b = FrameConnection.create(acceptedB, "peer b", handler).start();
            peerA.configureBlocking(false);
            peerB.configureBlocking(false);
            AtomicInteger written = new AtomicInteger();
            try (SendBatch outer = SendBatch.open()) {
                try (SendBatch inner = SendBatch.open()) {
                    for (int id = 1; id <= 3; id++) {
                        assertTrue(a.send(Frame.request(MessageType.PING, id, 0, 0, 0), null, written::incrementAndGet));
                        assertTrue(b.send(Frame.request(MessageType.PING, id, 0, 0, 0), null, written::incrementAndGet));
                    }
                }
                assertEquals(0, written.get(), "a nested batch must not write");
                assertEquals(0, peerA.read(ByteBuffer.allocate(1)), "nothing may reach the peer inside the batch");
            }
            assertEquals(6, written.get(), "closing the batch writes every connection sent to");
            for (SocketChannel peer : new SocketChannel[] {peerA, peerB}) {
                peer.configureBlocking(true);
                ByteBuffer in = ByteBuffer.allocate(3 * Frame.HEADER_SIZE);
                while (in.hasRemaining()) {
                    assertTrue(peer.read(in) > 0);
                }
                in.flip();
                for (int id = 1; id <= 3; id++) {
                    assertEquals(id, Frame.decode(in).id(), "frames leave in the order they were sent");
                }
            }
            // Without a batch a frame leaves at once.
            assertTrue(a.send(Frame.request(MessageType.PING, 4, 0, 0, 0), null, written::incrementAndGet));
            assertEquals(7, written.get());
            a.close();
            b.close();
        }
    }
}
