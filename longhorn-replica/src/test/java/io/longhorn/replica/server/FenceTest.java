package io.longhorn.replica.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.longhorn.replica.store.FencedException;
import io.longhorn.replica.store.Replica;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replica's fence: which data connections may write, and what recording a generation does to the others. */
class FenceTest {
    private static final Duration CONNECT = Duration.ofSeconds(5);

    @TempDir
    Path tmp;
    private Replica replica;
    private DataServer server;
    private Address tcp;

    @BeforeEach
    void start() throws Exception {
        replica = Replica.create(tmp.resolve("r"), 16 << 20);
        server = DataServer.start(BlockTarget.of(replica), new DataServer.Options(new InetSocketAddress("127.0.0.1", 0), null, 4));
        tcp = Address.tcp("127.0.0.1", server.tcpAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.close();
        replica.close();
    }

    @Test
    void anEngineThatANewerOneReplacedCanWriteNothingMore() throws Exception {
        server.recordGeneration(3, "A");
        ReplicaDataClient a = ReplicaDataClient.connect(tcp, CONNECT, new Hello("vol1", 3, "A"));
        try {
            await(a.write(0, block(0x11), false));
            // Engine B announces a generation above A's, records it: A's connection is closed.
            try (ReplicaDataClient b = ReplicaDataClient.connect(tcp, CONNECT, new Hello("vol1", 5, "B"))) {
                await(a.write(4096, block(0x12), false));
                server.recordGeneration(5, "B");
                assertEquals(5, replica.generation());
                failure(a.write(8192, block(0x13), false));
                assertFalse(a.isOpen());
                await(b.write(8192, block(0x22), false));
                assertArrayEquals(block(0x22).array(), read(8192));
                // A comes back: at its old generation it is refused, and it may not take B's.
                ReplicaDataException old = assertThrows(ReplicaDataException.class,
                        () -> ReplicaDataClient.connect(tcp, CONNECT, new Hello("vol1", 3, "A")));
                assertEquals(WireStatus.EPERM, old.status(), old.getMessage());
                assertTrue(old.getMessage().contains("generation 5"), old.getMessage());
                ReplicaDataException same = assertThrows(ReplicaDataException.class,
                        () -> ReplicaDataClient.connect(tcp, CONNECT, new Hello("vol1", 5, "A")));
                assertEquals(WireStatus.EPERM, same.status(), same.getMessage());
                assertThrows(FencedException.class, () -> server.recordGeneration(3, "A"));
                assertThrows(FencedException.class, () -> server.recordGeneration(5, "A"));
                assertEquals(5, replica.generation());
                await(b.write(12288, block(0x23), false));
            }
        } finally {
            a.close();
        }
    }

    @Test
    void onceANewerEngineRecordedItsGenerationNothingTheOldOneSentChangesABlock() throws Exception {
        try (ReplicaDataClient a = ReplicaDataClient.connect(tcp, CONNECT, new Hello("vol1", 1, "A"))) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int round = 0; round < 8; round++) {
                for (int i = 0; i < 512; i++) {
                    writes.add(a.write((long) i * 4096, block(0x40 + round), false));
                }
            }
            server.recordGeneration(3, "B");
            byte[] atRecord = readRange(512 * 4096);
            for (CompletableFuture<Void> w : writes) {
                w.handle((v, t) -> null).get(30, TimeUnit.SECONDS);
            }
            assertArrayEquals(atRecord, readRange(512 * 4096), "a write of the fenced engine landed after the fence");
            assertFalse(a.isOpen());
        }
    }

    private byte[] readRange(int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        replica.read(0, b);
        return b.array();
    }

    @Test
    void theFirstFrameMustBeAHello() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.tcpAddress().getPort()), 5000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(Frame.request(MessageType.PING, 1, 0, 0, 0).encode().array());
            s.getOutputStream().flush();
            assertEquals(-1, s.getInputStream().read(), "a frame before the hello closes the connection");
        }
    }

    @Test
    void aHelloForAnotherVolumeIsRefused() throws Exception {
        try (ReplicaDataClient a = ReplicaDataClient.connect(tcp, CONNECT, new Hello("vol1", 0, "A"))) {
            ReplicaDataException e = assertThrows(ReplicaDataException.class,
                    () -> ReplicaDataClient.connect(tcp, CONNECT, new Hello("vol2", 0, "B")));
            assertEquals(WireStatus.EINVAL, e.status());
            assertTrue(e.getMessage().contains("serves volume vol1, not vol2"), e.getMessage());
            await(a.ping());
        }
    }

    @Test
    void aToolThatServesNoVolumeIsAdmittedOnceTheEngineThatRecordedTheGenerationIsGone() throws Exception {
        server.recordGeneration(4, "A");
        ReplicaDataClient a = ReplicaDataClient.connect(tcp, CONNECT, new Hello("vol1", 4, "A"));
        assertThrows(ReplicaDataException.class, () -> ReplicaDataClient.connect(tcp, CONNECT, new Hello("", 4, "restore")));
        a.close();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 0);
        try (ReplicaDataClient restore = ReplicaDataClient.connect(tcp, CONNECT, new Hello("", 4, "restore"))) {
            await(restore.write(0, block(0x55), true));
        }
    }

    private static ByteBuffer block(int b) {
        byte[] d = new byte[4096];
        Arrays.fill(d, (byte) b);
        return ByteBuffer.wrap(d);
    }

    private byte[] read(long offset) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        replica.read(offset, b);
        return b.array();
    }

    private static void await(CompletableFuture<?> f) throws Exception {
        f.get(30, TimeUnit.SECONDS);
    }

    private static ReplicaDataException failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(ReplicaDataException.class, e.getCause());
    }
}
