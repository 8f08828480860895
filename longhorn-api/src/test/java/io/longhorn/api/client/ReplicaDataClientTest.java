package io.longhorn.api.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.types.Address;
import io.longhorn.api.wire.Frame;
import io.longhorn.api.wire.Hello;
import io.longhorn.api.wire.WireStatus;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaDataClientTest {
    private static final Duration CONNECT = Duration.ofSeconds(5);
    private static final Hello HELLO = new Hello("vol1", 1, "engine-test");

    @TempDir
    Path tmp;

    @Test
    void pipelinedWritesAndReadsMatchEvenWhenRepliesComeInReverseOrder() throws Exception {
        try (MemoryDataServer server = new MemoryDataServer(16 << 20, null);
             ReplicaDataClient client = ReplicaDataClient.connect(server.address, CONNECT, HELLO)) {
            server.replyGroup = 8;
            Random rnd = new Random(42);
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            byte[][] blocks = new byte[64][];
            for (int i = 0; i < 64; i++) {
                blocks[i] = new byte[4096 * (1 + rnd.nextInt(16))];
                rnd.nextBytes(blocks[i]);
                writes.add(client.write((long) i << 16, ByteBuffer.wrap(blocks[i]), false));
            }
            await(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)));
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            ByteBuffer[] got = new ByteBuffer[64];
            for (int i = 0; i < 64; i++) {
                got[i] = ByteBuffer.allocateDirect(blocks[i].length);
                reads.add(client.read((long) i << 16, got[i]));
            }
            await(CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)));
            for (int i = 0; i < 64; i++) {
                assertEquals(0, got[i].position(), "read must leave the position alone");
                byte[] b = new byte[blocks[i].length];
                got[i].get(b);
                assertArrayEquals(blocks[i], b, "block " + i);
            }
        }
    }

    @Test
    void moreRequestsInFlightThanPendingSlotsAllCompleteWithTheirOwnData() throws Exception {
        int n = ReplicaDataClient.PENDING_SLOTS + 904;
        try (MemoryDataServer server = new MemoryDataServer(n * 4096, null);
             ReplicaDataClient client = ReplicaDataClient.connect(server.address, CONNECT, HELLO)) {
            for (int i = 0; i < n; i++) {
                server.volume[i * 4096] = (byte) i;
                server.volume[i * 4096 + 1] = (byte) (i >> 8);
            }
            // The server answers only once every request arrived, newest first: all are in flight
            // at once and the oldest ones, in the slots, are answered last.
            server.replyGroup = n;
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            ByteBuffer[] got = new ByteBuffer[n];
            for (int i = 0; i < n; i++) {
                got[i] = ByteBuffer.allocate(4096);
                reads.add(client.read((long) i * 4096, got[i]));
            }
            await(CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)));
            for (int i = 0; i < n; i++) {
                assertEquals((byte) i, got[i].get(0), "read " + i);
                assertEquals((byte) (i >> 8), got[i].get(1), "read " + i);
            }
        }
    }

    @Test
    void ioLargerThanOneFrameIsSplitAndReassembled() throws Exception {
        int size = Frame.MAX_PAYLOAD * 2 + (1 << 20);
        try (MemoryDataServer server = new MemoryDataServer(size + 8192, null);
             ReplicaDataClient client = ReplicaDataClient.connect(server.address, CONNECT, HELLO)) {
            byte[] data = new byte[size];
            new Random(7).nextBytes(data);
            await(client.write(4096, ByteBuffer.wrap(data), true));
            assertArrayEquals(data, java.util.Arrays.copyOfRange(server.volume, 4096, 4096 + size));
            ByteBuffer back = ByteBuffer.allocate(size + 100);
            back.position(100);
            await(client.read(4096, back));
            assertArrayEquals(data, java.util.Arrays.copyOfRange(back.array(), 100, 100 + size));
        }
    }

    @Test
    void writeZeroesAndUnmapClearTheRange() throws Exception {
        try (MemoryDataServer server = new MemoryDataServer(1 << 20, null);
             ReplicaDataClient client = ReplicaDataClient.connect(server.address, CONNECT, HELLO)) {
            java.util.Arrays.fill(server.volume, (byte) 7);
            await(client.writeZeroes(4096, 8192));
            await(client.unmap(65536, 4096));
            await(client.flush());
            await(client.ping());
            assertEquals(7, server.volume[4095]);
            assertEquals(0, server.volume[4096]);
            assertEquals(0, server.volume[12287]);
            assertEquals(7, server.volume[12288]);
            assertEquals(0, server.volume[65536 + 4095]);
        }
    }

    @Test
    void anErrorReplyFailsOnlyThatRequestWithStatusAndAMessageNamingReplicaAndRange() throws Exception {
        try (MemoryDataServer server = new MemoryDataServer(1 << 20, null);
             ReplicaDataClient client = ReplicaDataClient.connect(server.address, CONNECT, HELLO)) {
            server.failOffset = 8192;
            ReplicaDataException e = failure(client.write(8192, ByteBuffer.allocate(4096), false));
            assertEquals(WireStatus.EIO, e.status());
            assertTrue(e.getMessage().contains("failed to write 4096 bytes at 8192 to replica " + server.address), e.getMessage());
            assertTrue(e.getMessage().contains("disk on fire at 8192"), e.getMessage());
            await(client.write(0, ByteBuffer.allocate(4096), false));
            assertTrue(client.isOpen());
        }
    }

    @Test
    void losingTheConnectionFailsPendingRequestsWithEio() throws Exception {
        try (MemoryDataServer server = new MemoryDataServer(1 << 20, null);
             ReplicaDataClient client = ReplicaDataClient.connect(server.address, CONNECT, HELLO)) {
            server.swallowRequests = true;
            CompletableFuture<Void> r = client.read(0, ByteBuffer.allocate(4096));
            CompletableFuture<Void> w = client.write(4096, ByteBuffer.allocate(4096), false);
            server.dropConnections();
            assertEquals(WireStatus.EIO, failure(r).status());
            ReplicaDataException e = failure(w);
            assertEquals(WireStatus.EIO, e.status());
            assertTrue(e.getMessage().contains("connection lost"), e.getMessage());
            assertFalse(client.isOpen());
            assertEquals(WireStatus.ESHUTDOWN, failure(client.ping()).status());
        }
    }

    @Test
    void closeFailsPendingRequestsWithEshutdown() throws Exception {
        try (MemoryDataServer server = new MemoryDataServer(1 << 20, null)) {
            ReplicaDataClient client = ReplicaDataClient.connect(server.address, CONNECT, HELLO);
            server.swallowRequests = true;
            CompletableFuture<Void> f = client.flush();
            client.close();
            assertEquals(WireStatus.ESHUTDOWN, failure(f).status());
        }
    }

    @Test
    void worksOverAUnixSocket() throws Exception {
        Path sock = tmp.resolve("data.sock");
        try (MemoryDataServer server = new MemoryDataServer(1 << 20, sock);
             ReplicaDataClient client = ReplicaDataClient.connect(Address.parse("unix://" + sock), CONNECT, HELLO)) {
            byte[] data = new byte[8192];
            new Random(3).nextBytes(data);
            await(client.write(4096, ByteBuffer.wrap(data), false));
            ByteBuffer back = ByteBuffer.allocate(8192);
            await(client.read(4096, back));
            assertArrayEquals(data, back.array());
        }
    }

    @Test
    void connectingToAClosedPortFailsWithEioNamingTheAddress() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        Address a = Address.tcp("127.0.0.1", port);
        ReplicaDataException e = assertThrows(ReplicaDataException.class, () -> ReplicaDataClient.connect(a, CONNECT, HELLO));
        assertEquals(WireStatus.EIO, e.status());
        assertTrue(e.getMessage().contains(a.toString()), e.getMessage());
    }

    private static void await(CompletableFuture<?> f) throws Exception {
        f.get(30, TimeUnit.SECONDS);
    }

    private static ReplicaDataException failure(CompletableFuture<?> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(ReplicaDataException.class, e.getCause());
    }

}
