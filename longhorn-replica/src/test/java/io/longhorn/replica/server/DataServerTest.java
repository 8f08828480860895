package io.longhorn.replica.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.client.ReplicaDataClient;
import io.longhorn.api.client.ReplicaDataException;
import io.longhorn.api.types.Address;
import io.longhorn.api.wire.Frame;
import io.longhorn.api.wire.Hello;
import io.longhorn.api.wire.MessageType;
import io.longhorn.api.wire.WireStatus;
import io.longhorn.replica.store.Replica;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataServerTest {
    private static final long SIZE = 64L << 20;
    private static final Duration CONNECT = Duration.ofSeconds(5);
    static final Hello HELLO = new Hello("vol1", 0, "engine-test");

    @TempDir
    Path tmp;
    private Replica replica;
    private DataServer server;
    private Address tcp;

    @BeforeEach
    void start() throws Exception {
        replica = Replica.create(tmp.resolve("r"), SIZE);
        server = DataServer.start(BlockTarget.of(replica),
                new DataServer.Options(new InetSocketAddress("127.0.0.1", 0), tmp.resolve("data.sock"), 4));
        tcp = Address.tcp("127.0.0.1", server.tcpAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (replica != null) {
            replica.close();
        }
    }

    @Test
    void dozensOfPipelinedWritesAndReadsReadBackWhatWasWritten() throws Exception {
        try (ReplicaDataClient c = ReplicaDataClient.connect(tcp, CONNECT, HELLO)) {
            Random rnd = new Random(11);
            int n = 96;
            byte[][] data = new byte[n][];
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                data[i] = new byte[4096 * (1 + rnd.nextInt(64))];
                rnd.nextBytes(data[i]);
                fs.add(c.write((long) i << 19, ByteBuffer.wrap(data[i]), i % 10 == 0));
            }
            await(CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)));
            fs.clear();
            ByteBuffer[] back = new ByteBuffer[n];
            for (int i = 0; i < n; i++) {
                back[i] = ByteBuffer.allocate(data[i].length);
                fs.add(c.read((long) i << 19, back[i]));
            }
            await(CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)));
            for (int i = 0; i < n; i++) {
                assertArrayEquals(data[i], back[i].array(), "request " + i);
            }
            await(c.flush());
        }
    }

    @Test
    void writeZeroesAndUnmapReadBackAsZeros() throws Exception {
        try (ReplicaDataClient c = ReplicaDataClient.connect(tcp, CONNECT, HELLO)) {
            byte[] ones = new byte[65536];
            java.util.Arrays.fill(ones, (byte) 1);
            await(c.write(0, ByteBuffer.wrap(ones), false));
            await(c.writeZeroes(4096, 4096));
            await(c.unmap(16384, 8192));
            ByteBuffer back = ByteBuffer.allocate(65536);
            await(c.read(0, back));
            byte[] b = back.array();
            assertEquals(1, b[4095]);
            assertEquals(0, b[4096]);
            assertEquals(0, b[8191]);
            assertEquals(1, b[8192]);
            assertEquals(0, b[16384]);
            assertEquals(0, b[24575]);
            assertEquals(1, b[24576]);
        }
    }

    @Test
    void aRangeBeyondTheSizeIsRefusedWithEinvalAndTheConnectionKeepsWorking() throws Exception {
        try (ReplicaDataClient c = ReplicaDataClient.connect(tcp, CONNECT, HELLO)) {
            byte[] tail = new byte[8192];
            new Random(3).nextBytes(tail);
            await(c.write(SIZE - tail.length, ByteBuffer.wrap(tail), false));
            ReplicaDataException e = failure(c.write(SIZE, ByteBuffer.allocate(4096), false));
            assertEquals(WireStatus.EINVAL, e.status());
            assertTrue(e.getMessage().contains("at " + SIZE) && e.getMessage().contains(tcp.toString()), e.getMessage());
            // A write that starts inside the volume and runs past its end changes nothing either.
            assertEquals(WireStatus.EINVAL, failure(c.write(SIZE - 8192, ByteBuffer.allocate(3 * 4096), false)).status());
            assertEquals(WireStatus.EINVAL, failure(c.read(SIZE - 4096, ByteBuffer.allocate(8192))).status());
            assertEquals(WireStatus.EINVAL, failure(c.unmap(0, SIZE + 4096)).status());
            assertEquals(WireStatus.EINVAL, failure(c.writeZeroes(SIZE - 8192, 3 * 4096)).status());
            await(c.ping());
            ByteBuffer back = ByteBuffer.allocate(tail.length);
            await(c.read(SIZE - tail.length, back));
            assertArrayEquals(tail, back.array(), "refused requests left the data unchanged");
            await(c.write(SIZE - 4096, ByteBuffer.allocate(4096), false));
            assertTrue(c.isOpen());
        }
    }

    @Test
    void emptyReadsAndWritesSucceedWithoutTouchingData() throws Exception {
        try (ReplicaDataClient c = ReplicaDataClient.connect(tcp, CONNECT, HELLO)) {
            await(c.write(4096, ByteBuffer.allocate(0), false));
            await(c.read(4096, ByteBuffer.allocate(0)));
            await(c.writeZeroes(4096, 0));
            await(c.ping());
            assertTrue(c.isOpen());
        }
    }

    @Test
    void unalignedIoIsRefusedWithEinvalAndChangesNothing() throws Exception {
        try (ReplicaDataClient c = ReplicaDataClient.connect(tcp, CONNECT, HELLO)) {
            byte[] ones = new byte[8192];
            java.util.Arrays.fill(ones, (byte) 1);
            assertEquals(WireStatus.EINVAL, failure(c.write(512, ByteBuffer.wrap(ones), false)).status());
            assertEquals(WireStatus.EINVAL, failure(c.write(0, ByteBuffer.wrap(ones, 0, 1000), false)).status());
            assertEquals(WireStatus.EINVAL, failure(c.read(100, ByteBuffer.allocate(4096))).status());
            ByteBuffer back = ByteBuffer.allocate(8192);
            await(c.read(0, back));
            assertArrayEquals(new byte[8192], back.array());
        }
    }

    @Test
    void garbageFramesCloseOnlyTheirOwnConnection() throws Exception {
        try (ReplicaDataClient good = ReplicaDataClient.connect(tcp, CONNECT, HELLO)) {
            await(good.write(0, ByteBuffer.allocate(4096), false));
            // Bad magic.
            assertClosedByServer(new byte[Frame.HEADER_SIZE]);
            // Unknown type.
            ByteBuffer h = Frame.request(MessageType.PING, 1, 0, 0, 0).encode();
            h.put(3, (byte) 0x33);
            assertClosedByServer(h.array());
            // A write announcing a 1 GiB payload.
            ByteBuffer big = Frame.request(MessageType.WRITE, 2, 0, 1 << 30, 0).encode();
            assertClosedByServer(big.array());
            // A reply frame sent to the server.
            ByteBuffer reply = Frame.ok(Frame.request(MessageType.PING, 3, 0, 0, 0), 0).encode();
            assertClosedByServer(reply.array());
            await(good.ping());
            ByteBuffer back = ByteBuffer.allocate(4096);
            await(good.read(0, back));
        }
    }

    @Test
    void rangesOfTwoGibibytesAndMoreAreServedOrRefusedWithEinvalNotAsProtocolErrors() throws Exception {
        long big = 5L << 30;
        try (Replica r = Replica.create(tmp.resolve("big"), big);
             DataServer s = DataServer.start(BlockTarget.of(r),
                     new DataServer.Options(new InetSocketAddress("127.0.0.1", 0), null, 4));
             Socket raw = new Socket()) {
            byte[] block = new byte[4096];
            new Random(4).nextBytes(block);
            r.write(3L << 30, ByteBuffer.wrap(block));
            r.write(big - 4096, ByteBuffer.wrap(block));
            raw.connect(new InetSocketAddress("127.0.0.1", s.tcpAddress().getPort()), 5000);
            raw.setSoTimeout(60_000);
            ByteBuffer hello = HELLO.payload();
            raw.getOutputStream().write(HELLO.frame(9).encode().array());
            raw.getOutputStream().write(hello.array(), 0, hello.remaining());
            assertEquals(WireStatus.OK, Frame.decode(ByteBuffer.wrap(raw.getInputStream().readNBytes(Frame.HEADER_SIZE))).status());
            // 4 GiB - 4096 bytes of zeros from offset 0: one frame, served.
            Frame zeros = roundTrip(raw, Frame.request(MessageType.WRITE_ZEROES, 1, 0, (int) 0xFFFF_F000L, 0));
            assertEquals(WireStatus.OK, zeros.status());
            assertArrayEquals(new byte[4096], readBlock(r, 3L << 30));
            assertArrayEquals(block, readBlock(r, big - 4096), "the block past the range is kept");
            // 3 GiB unmapped from 4 GiB: beyond the size, refused, nothing changed.
            Frame beyond = roundTrip(raw, Frame.request(MessageType.UNMAP, 2, 4L << 30, (int) (3L << 30), 0));
            assertEquals(WireStatus.EINVAL, beyond.status());
            assertArrayEquals(block, readBlock(r, big - 4096));
            // A 2 GiB read cannot be answered in one reply: refused, the connection stays.
            Frame read = roundTrip(raw, Frame.request(MessageType.READ, 3, 0, (int) (2L << 30), 0));
            assertEquals(WireStatus.EINVAL, read.status());
            assertEquals(WireStatus.OK, roundTrip(raw, Frame.request(MessageType.PING, 4, 0, 0, 0)).status());
        }
    }

    /** Sends one frame on a raw socket and returns its reply, after skipping any payload. */
    private static Frame roundTrip(Socket s, Frame request) throws Exception {
        s.getOutputStream().write(request.encode().array());
        s.getOutputStream().flush();
        byte[] header = s.getInputStream().readNBytes(Frame.HEADER_SIZE);
        assertEquals(Frame.HEADER_SIZE, header.length, "the server closed the connection instead of replying");
        Frame reply = Frame.decode(ByteBuffer.wrap(header));
        assertEquals(request.id(), reply.id());
        s.getInputStream().readNBytes(reply.payloadLength());
        return reply;
    }

    private static byte[] readBlock(Replica r, long offset) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        r.read(offset, b);
        return b.array();
    }

    @Test
    void servesTheUnixSocketToo() throws Exception {
        try (ReplicaDataClient c = ReplicaDataClient.connect(Address.unix(server.unixSocket()), CONNECT, HELLO)) {
            byte[] d = new byte[4096 * 3];
            new Random(5).nextBytes(d);
            await(c.write(8192, ByteBuffer.wrap(d), true));
            ByteBuffer back = ByteBuffer.allocateDirect(d.length);
            await(c.read(8192, back));
            byte[] b = new byte[d.length];
            back.get(b);
            assertArrayEquals(d, b);
        }
    }

    @Test
    void closingTheServerFailsTheClientsPendingAndLaterRequests() throws Exception {
        ReplicaDataClient c = ReplicaDataClient.connect(tcp, CONNECT, HELLO);
        try {
            await(c.ping());
            server.close();
            server = null;
            ReplicaDataException e = failure(c.ping());
            assertTrue(e.status() == WireStatus.EIO || e.status() == WireStatus.ESHUTDOWN, e.getMessage());
        } finally {
            c.close();
        }
    }

    @Test
    void aClientThatFloodsRequestsAndNeverReadsRepliesIsHeldBackAndOthersAreStillServed() throws Exception {
        int mib = 1 << 20;
        long cap = 8L * mib;
        try (Replica r = Replica.create(tmp.resolve("flood"), SIZE);
             DataServer s = DataServer.start(BlockTarget.of(r),
                     new DataServer.Options(new InetSocketAddress("127.0.0.1", 0), null, 4).withMaxInflight(1024, cap));
             Socket flooder = new Socket()) {
            r.write(0, ByteBuffer.wrap(new byte[4096]).put(0, (byte) 7));
            flooder.connect(new InetSocketAddress("127.0.0.1", s.tcpAddress().getPort()), 5000);
            OutputStream out = flooder.getOutputStream();
            ByteBuffer hello = HELLO.payload();
            out.write(HELLO.frame(0).encode().array());
            out.write(hello.array(), 0, hello.remaining());
            assertEquals(WireStatus.OK,
                    Frame.decode(ByteBuffer.wrap(flooder.getInputStream().readNBytes(Frame.HEADER_SIZE))).status());
            // 1 MiB reads, 2 GiB of replies, none of them read: the sender blocks once the server
            // stops reading and the socket buffers are full.
            Thread sender = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; i < 2048; i++) {
                        ByteBuffer header = Frame.request(MessageType.READ, i, (long) (i % 32) * mib, mib, 0).encode();
                        out.write(header.array(), header.arrayOffset() + header.position(), header.remaining());
                    }
                    out.flush();
                } catch (java.io.IOException e) {
                    // the test closed the socket
                }
            });
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> s.inflightBytes() >= cap);
            for (int i = 0; i < 20; i++) {
                assertTrue(s.inflightBytes() <= cap + mib, s.inflightBytes() + " bytes in flight");
                Thread.onSpinWait();
            }
            Address addr = Address.tcp("127.0.0.1", s.tcpAddress().getPort());
            ReplicaDataClient other = ReplicaDataClient.connect(addr, CONNECT, HELLO);
            try {
                ByteBuffer dst = ByteBuffer.allocate(4096);
                await(other.read(0, dst));
                assertEquals(7, dst.get(0));
            } finally {
                other.close();
            }
            assertTrue(s.inflightBytes() <= cap + mib, s.inflightBytes() + " bytes in flight");
            flooder.close();
            sender.join(Duration.ofMinutes(1));
        }
    }

    private void assertClosedByServer(byte[] garbage) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.tcpAddress().getPort()), 5000);
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(garbage);
            out.flush();
            InputStream in = s.getInputStream();
            assertEquals(-1, in.read(), "the server must close the connection without replying");
        }
    }

    private static void await(CompletableFuture<?> f) throws Exception {
        f.get(30, TimeUnit.SECONDS);
    }

    private static ReplicaDataException failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(ReplicaDataException.class, e.getCause());
    }
}
