package io.longhorn.engine.frontend.nbd;

import static io.longhorn.engine.frontend.nbd.NbdProtocol.*;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.wire.WireStatus;
import io.longhorn.engine.frontend.BlockDevice;
import io.longhorn.engine.frontend.BlockDeviceException;
import io.longhorn.engine.frontend.IoStats;
import io.longhorn.engine.frontend.MemoryBlockDevice;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transmission phase, driven request by request with a raw client. */
class NbdTransmissionTest {

    private static final int SIZE = 8 << 20;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final MemoryBlockDevice memory = new MemoryBlockDevice(SIZE, true, executor);
    private NbdServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        executor.shutdownNow();
    }

    private InetSocketAddress start(BlockDevice device, NbdServerOptions options) throws IOException {
        server = new NbdServer(device, options);
        server.start();
        return server.tcpAddress();
    }

    private InetSocketAddress start(BlockDevice device) throws IOException {
        return start(device, NbdServerOptions.of("vol1", new InetSocketAddress("127.0.0.1", 0), null));
    }

    @Test
    void pipelinedRequestsAreAnsweredAsTheyCompleteNotInOrder() throws Exception {
        InetSocketAddress address = start(memory);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        memory.readGate = gate;
        try (RawNbdClient c = RawNbdClient.connect(address, "vol1")) {
            c.send(CMD_READ, 0, 1, 0, 4096, null);
            c.send(CMD_WRITE, 0, 2, 8192, 4096, pattern(4096, 0x5a));
            c.flushOut();
            RawNbdClient.Reply first = c.readSimple(0);
            assertEquals(2, first.handle(), "the write overtakes the read held in the device");
            assertEquals(0, first.error());
            gate.complete(null);
            RawNbdClient.Reply second = c.readSimple(4096);
            assertEquals(1, second.handle());
            assertArrayEquals(new byte[4096], second.payload());
        }
        assertArrayEquals(pattern(4096, 0x5a), Arrays.copyOfRange(memory.data(), 8192, 12288));
    }

    @Test
    void requestsBeyondTheEndFailWithTheProtocolsErrnoAndTheConnectionGoesOn() throws Exception {
        InetSocketAddress address = start(memory);
        try (RawNbdClient c = RawNbdClient.connect(address, "")) {
            assertEquals(SIZE, c.size);
            c.send(CMD_READ, 0, 1, SIZE - 512, 4096, null);
            c.send(CMD_WRITE, 0, 2, SIZE, 4096, pattern(4096, 1));
            c.send(CMD_WRITE_ZEROES, 0, 3, SIZE - 4096, 8192, null);
            c.send(CMD_TRIM, 0, 4, -4096, 8192, null);
            c.send(CMD_READ, 0, 5, -1, 1, null);
            c.send(CMD_WRITE, 0, 6, 0, 4096, pattern(4096, 7));
            c.flushOut();
            int[] errors = new int[7];
            for (int i = 0; i < 6; i++) {
                RawNbdClient.Reply r = c.readSimple(0);
                errors[(int) r.handle()] = r.error();
            }
            assertEquals(WireStatus.EINVAL, errors[1]);
            assertEquals(WireStatus.ENOSPC, errors[2]);
            assertEquals(WireStatus.ENOSPC, errors[3]);
            assertEquals(WireStatus.EINVAL, errors[4]);
            assertEquals(WireStatus.EINVAL, errors[5]);
            assertEquals(0, errors[6]);
            c.send(CMD_READ, 0, 7, 0, 4096, null);
            c.flushOut();
            assertArrayEquals(pattern(4096, 7), c.readSimple(4096).payload());
        }
    }

    @Test
    void aConnectionReachesTheRangeADeviceGrewByWhileItWasOpen() throws Exception {
        // The device shows half of the memory at first, like a volume before its engine is expanded.
        AtomicLong size = new AtomicLong(SIZE / 2);
        BlockDevice growing = new ForwardingDevice(memory) {
            @Override
            public long size() {
                return size.get();
            }
        };
        InetSocketAddress address = start(growing);
        try (RawNbdClient c = RawNbdClient.connect(address, "vol1")) {
            assertEquals(SIZE / 2, c.size);
            c.send(CMD_WRITE, 0, 1, SIZE / 2, 4096, pattern(4096, 9));
            c.flushOut();
            assertEquals(WireStatus.ENOSPC, c.readSimple(0).error(), "beyond the end before the expansion");

            size.set(SIZE);
            c.send(CMD_WRITE, 0, 2, SIZE / 2, 4096, pattern(4096, 9));
            c.send(CMD_WRITE_ZEROES, 0, 3, SIZE - 8192, 8192, null);
            c.flushOut();
            assertEquals(0, c.readSimple(0).error(), "a write past the old end on the same connection");
            assertEquals(0, c.readSimple(0).error(), "zeroes up to the new end");
            c.send(CMD_READ, 0, 4, SIZE / 2, 4096, null);
            c.flushOut();
            assertArrayEquals(pattern(4096, 9), c.readSimple(4096).payload());
            // The new end is an end like the old one.
            c.send(CMD_WRITE, 0, 5, SIZE, 4096, pattern(4096, 1));
            c.send(CMD_READ, 0, 6, SIZE - 4096, 8192, null);
            c.flushOut();
            int[] errors = new int[7];
            for (int i = 0; i < 2; i++) {
                RawNbdClient.Reply r = c.readSimple(0);
                errors[(int) r.handle()] = r.error();
            }
            assertEquals(WireStatus.ENOSPC, errors[5]);
            assertEquals(WireStatus.EINVAL, errors[6]);
        }
        assertArrayEquals(pattern(4096, 9), Arrays.copyOfRange(memory.data(), SIZE / 2, SIZE / 2 + 4096));
    }

    @Test
    void everyCommandIsCountedInTheVolumesCountersWhichOutliveTheServer() throws Exception {
        IoStats stats = new IoStats();
        NbdServerOptions options = NbdServerOptions.of("vol1", new InetSocketAddress("127.0.0.1", 0), null);
        server = new NbdServer(memory, options, stats);
        server.start();
        try (RawNbdClient c = RawNbdClient.connect(server.tcpAddress(), "vol1")) {
            c.send(CMD_WRITE, 0, 1, 0, 8192, pattern(8192, 3));
            c.send(CMD_WRITE, 0, 2, 100, 10, pattern(10, 4));
            c.send(CMD_READ, 0, 3, SIZE - 512, 4096, null);        // beyond the end: EINVAL, no data
            c.send(CMD_FLUSH, 0, 4, 0, 0, null);
            c.send(CMD_TRIM, 0, 5, 65536, 16384, null);
            c.send(CMD_WRITE_ZEROES, 0, 6, 131072, 8192, null);
            c.send(5, 0, 7, 0, 4096, null);                        // unknown command: not counted
            c.flushOut();
            int errors = 0;
            for (int i = 0; i < 7; i++) {
                errors += c.readSimple(0).error() != 0 ? 1 : 0;
            }
            assertEquals(2, errors);
            c.send(CMD_READ, 0, 8, 0, 4096, null);
            c.flushOut();
            assertEquals(0, c.readSimple(4096).error());
        }
        IoStats.Snapshot s = stats.snapshot();
        assertEquals(2, s.write().count());
        assertEquals(8192 + 10, s.write().bytes());
        assertEquals(0, s.write().errors());
        assertEquals(2, s.read().count());
        assertEquals(4096, s.read().bytes(), "the failed read moved no bytes");
        assertEquals(1, s.read().errors());
        assertEquals(new IoStats.Counters(1, 0, 0, s.flush().latencyNanos()), s.flush());
        assertEquals(new IoStats.Counters(1, 16384, 0, s.trim().latencyNanos()), s.trim());
        assertEquals(new IoStats.Counters(1, 8192, 0, s.writeZeroes().latencyNanos()), s.writeZeroes());
        for (IoStats.Counters op : new IoStats.Counters[] {s.read(), s.write(), s.flush(), s.trim(), s.writeZeroes()}) {
            assertTrue(op.latencyNanos() > 0, "latency counted for " + op);
        }

        // The frontend stops and starts again: a new server counts on in the same counters.
        server.close();
        server = new NbdServer(memory, options, stats);
        server.start();
        try (RawNbdClient c = RawNbdClient.connect(server.tcpAddress(), "vol1")) {
            c.send(CMD_WRITE, 0, 1, 0, 4096, pattern(4096, 5));
            c.flushOut();
            assertEquals(0, c.readSimple(0).error());
        }
        assertEquals(3, stats.snapshot().write().count());
        assertEquals(8192 + 10 + 4096, stats.snapshot().write().bytes());
        assertEquals(s.id(), stats.snapshot().id());
    }

    @Test
    void unknownCommandsFlagsAndZeroLengthsGetEinval() throws Exception {
        InetSocketAddress address = start(memory);
        try (RawNbdClient c = RawNbdClient.connect(address, "vol1")) {
            c.send(5, 0, 1, 0, 4096, null);                       // NBD_CMD_CACHE, not offered
            c.send(CMD_READ, CMD_FLAG_NO_HOLE, 2, 0, 4096, null);  // flag not valid for reads
            c.send(CMD_READ, CMD_FLAG_DF, 3, 0, 4096, null);       // DF without structured replies
            c.send(CMD_WRITE, 0, 4, 0, 0, null);
            c.send(CMD_READ, 0, 5, 0, MAX_PAYLOAD + 1L, null);
            c.flushOut();
            for (int i = 0; i < 5; i++) {
                assertEquals(WireStatus.EINVAL, c.readSimple(0).error());
            }
            c.send(CMD_FLUSH, CMD_FLAG_FUA, 6, 0, 0, null);
            c.flushOut();
            assertEquals(0, c.readSimple(0).error());
        }
    }

    @Test
    void deviceErrorsGoBackWithTheirErrno() throws Exception {
        BlockDevice failing = new ForwardingDevice(memory) {
            @Override
            public CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua) {
                return CompletableFuture.failedFuture(new BlockDeviceException(WireStatus.EPERM, "read-only now"));
            }

            @Override
            public CompletableFuture<Void> flush() {
                throw new IllegalStateException("no replica left");
            }
        };
        InetSocketAddress address = start(failing);
        try (RawNbdClient c = RawNbdClient.connect(address, "vol1")) {
            c.send(CMD_WRITE, 0, 1, 0, 4096, pattern(4096, 1));
            c.flushOut();
            assertEquals(WireStatus.EPERM, c.readSimple(0).error());
            c.send(CMD_FLUSH, 0, 2, 0, 0, null);
            c.flushOut();
            assertEquals(WireStatus.EIO, c.readSimple(0).error());
            c.send(CMD_READ, 0, 3, 0, 4096, null);
            c.flushOut();
            assertEquals(0, c.readSimple(4096).error());
        }
    }

    @Test
    void anOversizedWriteIsSkippedAndRefusedWithoutLosingTheStream() throws Exception {
        InetSocketAddress address = start(memory);
        try (RawNbdClient c = RawNbdClient.connect(address, "vol1")) {
            int length = MAX_PAYLOAD + 4096;
            c.send(CMD_WRITE, 0, 1, 0, length, new byte[length]);
            c.send(CMD_WRITE, 0, 2, 4096, 4096, pattern(4096, 3));
            c.flushOut();
            RawNbdClient.Reply a = c.readSimple(0);
            RawNbdClient.Reply b = c.readSimple(0);
            assertEquals(WireStatus.EINVAL, a.handle() == 1 ? a.error() : b.error());
            assertEquals(0, a.handle() == 2 ? a.error() : b.error());
            assertEquals(3, memory.data()[4096]);
        }
    }

    @Test
    void badRequestMagicClosesOnlyThatConnection() throws Exception {
        InetSocketAddress address = start(memory);
        try (RawNbdClient good = RawNbdClient.connect(address, "vol1");
             RawNbdClient bad = RawNbdClient.connect(address, "vol1")) {
            bad.out.writeInt(0xdeadbeef);
            bad.out.write(new byte[24]);
            bad.out.flush();
            assertTrue(bad.closedByServer());
            good.send(CMD_WRITE, 0, 1, 0, 4096, pattern(4096, 9));
            good.flushOut();
            assertEquals(0, good.readSimple(0).error());
        }
    }

    @Test
    void disconnectAnswersTheRequestsInFlightBeforeClosing() throws Exception {
        InetSocketAddress address = start(memory);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        memory.readGate = gate;
        try (RawNbdClient c = RawNbdClient.connect(address, "vol1")) {
            c.send(CMD_READ, 0, 1, 0, 4096, null);
            c.send(CMD_DISC, 0, 2, 0, 0, null);
            c.flushOut();
            memory.readArrived.join();
            gate.complete(null);
            RawNbdClient.Reply r = c.readSimple(4096);
            assertEquals(1, r.handle());
            assertEquals(0, r.error());
            assertTrue(c.closedByServer());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 0);
    }

    @Test
    void structuredRepliesCarryReadDataAndReadErrorsInChunks() throws Exception {
        System.arraycopy(pattern(4096, 0x42), 0, memory.data(), 4096, 4096);
        InetSocketAddress address = start(memory);
        try (RawNbdClient c = RawNbdClient.connectStructured(address, "vol1")) {
            assertEquals(TFLAG_SEND_DF, c.transmissionFlags & TFLAG_SEND_DF);
            c.send(CMD_READ, CMD_FLAG_DF, 1, 4096 + 100, 1000, null);
            c.flushOut();
            RawNbdClient.Reply data = c.readAny();
            assertTrue(data.structured());
            assertEquals(REPLY_TYPE_OFFSET_DATA, data.type());
            assertEquals(REPLY_FLAG_DONE, data.flags());
            ByteBuffer p = ByteBuffer.wrap(data.payload()).order(ByteOrder.BIG_ENDIAN);
            assertEquals(4096 + 100, p.getLong());
            byte[] bytes = new byte[1000];
            p.get(bytes);
            assertArrayEquals(pattern(1000, 0x42), bytes);

            c.send(CMD_READ, 0, 2, SIZE, 4096, null);
            c.send(CMD_WRITE, 0, 3, SIZE, 4096, pattern(4096, 1));
            c.flushOut();
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                RawNbdClient.Reply r = c.readAny();
                seen.add(r.handle());
                if (r.handle() == 2) {
                    assertTrue(r.structured(), "a read error is a structured error chunk");
                    assertEquals(REPLY_TYPE_ERROR, r.type());
                    assertEquals(WireStatus.EINVAL, r.error());
                    ByteBuffer e = ByteBuffer.wrap(r.payload());
                    e.getInt();
                    int messageLength = e.getShort();
                    assertEquals(r.payload().length - 6, messageLength);
                    assertTrue(messageLength > 0);
                } else {
                    assertEquals(WireStatus.ENOSPC, r.error());
                }
            }
            assertEquals(Set.of(2L, 3L), seen);
        }
    }

    @Test
    void writeZeroesWithNoHoleWritesRealZeroesAndFuaTrimFlushes() throws Exception {
        Arrays.fill(memory.data(), (byte) 1);
        InetSocketAddress address = start(memory);
        try (RawNbdClient c = RawNbdClient.connect(address, "vol1")) {
            c.send(CMD_WRITE_ZEROES, CMD_FLAG_NO_HOLE, 1, 1000, (2 << 20) + 5, null);
            c.flushOut();
            assertEquals(0, c.readSimple(0).error());
            assertEquals(0, memory.zeroes.get(), "no hole punching when NO_HOLE is set");
            assertEquals(1, memory.data()[999]);
            assertEquals(0, memory.data()[1000]);
            assertEquals(0, memory.data()[1000 + (2 << 20) + 4]);
            assertEquals(1, memory.data()[1000 + (2 << 20) + 5]);
            c.send(CMD_TRIM, CMD_FLAG_FUA, 2, 0, 1 << 20, null);
            c.flushOut();
            assertEquals(0, c.readSimple(0).error());
            assertEquals(1, memory.flushes.get(), "a trim with FUA is followed by a flush");
        }
    }

    @Test
    void manyMoreRequestsThanTheInflightLimitAreAllAnswered() throws Exception {
        NbdServerOptions options = NbdServerOptions.of("vol1", new InetSocketAddress("127.0.0.1", 0), null)
                .withMaxInflight(4, MAX_PAYLOAD);
        InetSocketAddress address = start(memory, options);
        try (RawNbdClient c = RawNbdClient.connect(address, "vol1")) {
            int n = 500;
            // Sent from another thread: the server stops reading while 4 are in flight, and our own
            // replies must be read at the same time.
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        c.send(CMD_WRITE, 0, i, (long) (i % 64) * 65536, 65536, pattern(65536, i));
                    }
                    c.flushOut();
                } catch (IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Set<Long> handles = new HashSet<>();
            for (int i = 0; i < n; i++) {
                RawNbdClient.Reply r = c.readSimple(0);
                assertEquals(0, r.error());
                handles.add(r.handle());
            }
            sender.join();
            assertEquals(n, handles.size());
        }
    }

    @Test
    void clientsThatFloodRequestsAndNeverReadRepliesAreCappedAndOthersAreStillServed() throws Exception {
        long total = 40L << 20;
        NbdServerOptions options = NbdServerOptions.of("vol1", new InetSocketAddress("127.0.0.1", 0), null)
                .withMaxInflight(256, MAX_PAYLOAD).withServerLimits(4, total);
        InetSocketAddress address = start(memory, options);
        int mib = 1 << 20;
        List<RawNbdClient> flooders = new java.util.ArrayList<>();
        List<Thread> senders = new java.util.ArrayList<>();
        try {
            for (int k = 0; k < 3; k++) {
                RawNbdClient c = RawNbdClient.connect(address, "vol1");
                flooders.add(c);
                // Reads of 1 MiB, 200 MiB each, and not one reply read: the sender blocks once the
                // server stops reading and the socket buffers are full.
                senders.add(Thread.ofPlatform().daemon().start(() -> {
                    try {
                        for (int i = 0; i < 200; i++) {
                            c.send(CMD_READ, 0, i, (long) (i % 8) * mib, mib, null);
                            c.flushOut();
                        }
                    } catch (IOException e) {
                        // the test closed the connection
                    }
                }));
            }
            await().atMost(Duration.ofMinutes(1)).until(() -> server.inflightBytes() >= total - mib);
            // Whatever they send, the server holds at most the total (plus the one request that
            // crossed it) and nothing more arrives.
            for (int i = 0; i < 20; i++) {
                assertTrue(server.inflightBytes() <= total + mib, server.inflightBytes() + " bytes in flight");
                Thread.onSpinWait();
            }
            try (RawNbdClient other = RawNbdClient.connect(address, "vol1")) {
                memory.write(0, java.nio.ByteBuffer.wrap(pattern(4096, 7)), false).get();
                other.send(CMD_READ, 0, 99, 0, 4096, null);
                other.flushOut();
                RawNbdClient.Reply r = other.readSimple(4096);
                assertEquals(0, r.error());
                assertArrayEquals(pattern(4096, 7), r.payload());
                // A fifth connection is one too many.
                try (RawNbdClient extra = RawNbdClient.connectRaw(address)) {
                    assertTrue(extra.closedByServer(), "a connection beyond the limit was served");
                }
            }
            assertTrue(server.inflightBytes() <= total + mib, server.inflightBytes() + " bytes in flight");
        } finally {
            for (RawNbdClient c : flooders) {
                c.close();
            }
            for (Thread t : senders) {
                t.join(Duration.ofMinutes(1));
            }
        }
    }

    @Test
    void closingTheServerWaitsForRequestsInFlight() throws Exception {
        InetSocketAddress address = start(memory);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        memory.readGate = gate;
        try (RawNbdClient c = RawNbdClient.connect(address, "vol1")) {
            c.send(CMD_READ, 0, 1, 0, 4096, null);
            c.flushOut();
            memory.readArrived.join();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !closing.isDone());
            gate.complete(null);
            assertEquals(0, c.readSimple(4096).error());
            closing.join();
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aClientSilentDuringTheHandshakeIsDisconnectedAfterTheTimeout() throws Exception {
        NbdServerOptions options = NbdServerOptions.of("vol1", new InetSocketAddress("127.0.0.1", 0), null)
                .withHandshakeTimeout(Duration.ofMillis(300));
        InetSocketAddress address = start(memory, options);
        try (java.net.Socket silent = new java.net.Socket()) {
            silent.connect(address);
            silent.setSoTimeout(20_000);
            assertEquals(18, silent.getInputStream().readNBytes(18).length, "the greeting");
            assertEquals(-1, silent.getInputStream().read(), "then the server hangs up");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 0);
    }

    private static byte[] pattern(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** Delegates everything; tests override what should fail. */
    private static class ForwardingDevice implements BlockDevice {
        private final BlockDevice inner;

        ForwardingDevice(BlockDevice inner) {
            this.inner = inner;
        }

        @Override
        public long size() {
            return inner.size();
        }

        @Override
        public CompletableFuture<Void> read(long offset, ByteBuffer dst) {
            return inner.read(offset, dst);
        }

        @Override
        public CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua) {
            return inner.write(offset, src, fua);
        }

        @Override
        public CompletableFuture<Void> writeZeroes(long offset, long length, boolean fua) {
            return inner.writeZeroes(offset, length, fua);
        }

        @Override
        public CompletableFuture<Void> trim(long offset, long length) {
            return inner.trim(offset, length);
        }

        @Override
        public CompletableFuture<Void> flush() {
            return inner.flush();
        }
    }
}
