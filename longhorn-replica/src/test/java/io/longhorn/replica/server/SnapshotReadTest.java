package io.longhorn.replica.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.api.client.ReplicaDataClient;
import io.longhorn.api.client.ReplicaDataException;
import io.longhorn.api.types.Address;
import io.longhorn.api.wire.Hello;
import io.longhorn.api.wire.WireStatus;
import io.longhorn.replica.store.Replica;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * READ_SNAPSHOT on a real data server over loopback: what a backup reads from a running replica,
 * on a read-only connection that proves the volume's secret.
 */
class SnapshotReadTest {
    private static final Duration CONNECT = Duration.ofSeconds(5);
    private static final int BLOCK = 4096;
    /** 1 MiB: 256 blocks. */
    private static final long SIZE = 1 << 20;
    private static final int BLOCKS = (int) (SIZE / BLOCK);

    @TempDir
    Path tmp;
    private Replica replica;
    private DataServer server;
    private Address tcp;

    private void start(VolumeSecret secret) throws Exception {
        replica = Replica.create(tmp.resolve("r"), SIZE);
        server = DataServer.start(BlockTarget.of(replica),
                new DataServer.Options(new InetSocketAddress("127.0.0.1", 0), null, 2), secret);
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

    /**
     * s1: blocks 0-191 hold 0x10 + block % 7 (192-255 are a hole); s2 overwrites 64-127 with 0x55
     * and 200-209 with 0x66. Returns what s1 and s2 read as.
     */
    private byte[][] twoSnapshots(ReplicaDataClient writer) throws Exception {
        byte[] s1 = new byte[(int) SIZE];
        for (int b = 0; b < 192; b++) {
            Arrays.fill(s1, b * BLOCK, (b + 1) * BLOCK, (byte) (0x10 + b % 7));
        }
        await(writer.write(0, ByteBuffer.wrap(s1, 0, 192 * BLOCK), false));
        replica.snapshot("s1", Map.of(), true, Instant.now());
        byte[] s2 = s1.clone();
        Arrays.fill(s2, 64 * BLOCK, 128 * BLOCK, (byte) 0x55);
        Arrays.fill(s2, 200 * BLOCK, 210 * BLOCK, (byte) 0x66);
        await(writer.write(64 * BLOCK, ByteBuffer.wrap(s2, 64 * BLOCK, 64 * BLOCK), false));
        await(writer.write(200 * BLOCK, ByteBuffer.wrap(s2, 200 * BLOCK, 10 * BLOCK), false));
        replica.snapshot("s2", Map.of(), true, Instant.now());
        return new byte[][] {s1, s2};
    }

    @Test
    void readsOfASnapshotWhileTheHeadIsWrittenReturnTheSnapshotsBytes() throws Exception {
        start(null);
        try (ReplicaDataClient writer = ReplicaDataClient.connect(tcp, CONNECT, new Hello("vol1", 1, "engine-1"));
             ReplicaDataClient reader = ReplicaDataClient.connect(tcp, CONNECT, Hello.reader("", "backup-1"))) {
            byte[][] expected = twoSnapshots(writer);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong headWrites = new AtomicLong();
            // The engine keeps writing all over the head, over every block either snapshot holds.
            CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
                Random rnd = new Random(7);
                byte[] data = new byte[8 * BLOCK];
                while (!stop.get()) {
                    rnd.nextBytes(data);
                    int at = rnd.nextInt(BLOCKS - 8);
                    writer.write((long) at * BLOCK, ByteBuffer.wrap(data), false).join();
                    headWrites.incrementAndGet();
                }
            });
            try {
                for (int round = 0; round < 40; round++) {
                    assertArrayEquals(expected[0], readSnapshot(reader, "s1", 0, (int) SIZE), "s1, round " + round);
                    assertArrayEquals(expected[1], readSnapshot(reader, "s2", 0, (int) SIZE), "s2, round " + round);
                    // A range inside the volume, across the edge of s2's change.
                    assertArrayEquals(Arrays.copyOfRange(expected[1], 60 * BLOCK, 70 * BLOCK),
                            readSnapshot(reader, "s2", 60 * BLOCK, 10 * BLOCK));
                }
            } finally {
                stop.set(true);
                writes.get(30, TimeUnit.SECONDS);
            }
            assertTrue(headWrites.get() > 0);
            // The head did change: an ordinary read no longer sees s2.
            ByteBuffer head = ByteBuffer.allocate((int) SIZE);
            replica.read(0, head);
            assertTrue(!Arrays.equals(expected[1], head.array()));
        }
    }

    @Test
    void badInputIsRefusedNamingItAndTheConnectionKeepsServing() throws Exception {
        start(null);
        try (ReplicaDataClient writer = ReplicaDataClient.connect(tcp, CONNECT, new Hello("vol1", 1, "engine-1"));
             ReplicaDataClient reader = ReplicaDataClient.connect(tcp, CONNECT, Hello.reader("", "backup-1"))) {
            byte[][] expected = twoSnapshots(writer);
            assertRefused(reader.readSnapshot("nope", 0, ByteBuffer.allocate(BLOCK)), "snapshot nope");
            assertRefused(reader.readSnapshot("volume-head", 0, ByteBuffer.allocate(BLOCK)), "snapshot: \"volume-head\"");
            assertRefused(reader.readSnapshot("s1", SIZE, ByteBuffer.allocate(BLOCK)), "beyond the size");
            assertRefused(reader.readSnapshot("s1", 512, ByteBuffer.allocate(BLOCK)), "not aligned");
            assertRefused(reader.readSnapshot("s1", 0, ByteBuffer.allocate(100)), "not aligned");
            assertRefused(reader.readSnapshot("", 0, ByteBuffer.allocate(BLOCK)), "snapshot:");
            assertArrayEquals(expected[0], readSnapshot(reader, "s1", 0, (int) SIZE));
        }
    }

    @Test
    void aReaderIsAdmittedAtAnyGenerationNeverFencedAndCannotWrite() throws Exception {
        start(null);
        server.recordGeneration(5, "engine-a");
        try (ReplicaDataClient a = ReplicaDataClient.connect(tcp, CONNECT, new Hello("vol1", 5, "engine-a"));
             ReplicaDataClient reader = ReplicaDataClient.connect(tcp, CONNECT, Hello.reader("vol1", "backup-1"))) {
            byte[][] expected = twoSnapshots(a);
            ReplicaDataException w = failure(reader.write(0, ByteBuffer.allocate(BLOCK), false));
            assertEquals(WireStatus.EPERM, w.status(), w.getMessage());
            assertTrue(w.getMessage().contains("read-only"), w.getMessage());
            failure(reader.writeZeroes(0, BLOCK));
            failure(reader.unmap(0, BLOCK));
            assertArrayEquals(expected[0], readSnapshot(reader, "s1", 0, (int) SIZE), "the refused writes changed s1");
            ByteBuffer b = ByteBuffer.allocate(BLOCK);
            replica.read(0, b);
            assertEquals(0x10, b.get(0), "a refused write reached the head");
            // A newer engine records its generation: engine A is fenced off, the reader is not.
            server.recordGeneration(6, "engine-b");
            assertTrue(reader.isOpen());
            assertArrayEquals(expected[1], readSnapshot(reader, "s2", 0, (int) SIZE));
        }
    }

    @Test
    void aReaderMustProveTheVolumesSecretLikeEveryDataClient() throws Exception {
        VolumeSecret secret = VolumeSecret.generate();
        start(secret);
        try (ReplicaDataClient writer = ReplicaDataClient.connect(tcp, CONNECT, new Hello("vol1", 1, "engine-1"), secret)) {
            byte[][] expected = twoSnapshots(writer);
            ReplicaDataException none = assertThrows(ReplicaDataException.class,
                    () -> ReplicaDataClient.connect(tcp, CONNECT, Hello.reader("", "backup-1")));
            assertEquals(WireStatus.EACCES, none.status(), none.getMessage());
            ReplicaDataException wrong = assertThrows(ReplicaDataException.class,
                    () -> ReplicaDataClient.connect(tcp, CONNECT, Hello.reader("", "backup-1"), VolumeSecret.generate()));
            assertEquals(WireStatus.EACCES, wrong.status(), wrong.getMessage());
            assertTrue(server.refusals() >= 2);
            try (ReplicaDataClient reader = ReplicaDataClient.connect(tcp, CONNECT, Hello.reader("", "backup-1"), secret)) {
                assertArrayEquals(expected[0], readSnapshot(reader, "s1", 0, (int) SIZE));
            }
        }
    }

    private static byte[] readSnapshot(ReplicaDataClient c, String snapshot, long offset, int length) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(length);
        await(c.readSnapshot(snapshot, offset, b));
        return b.array();
    }

    private static void assertRefused(CompletableFuture<?> f, String named) {
        ReplicaDataException e = failure(f);
        assertEquals(WireStatus.EINVAL, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains(named), "\"" + named + "\" not in: " + e.getMessage());
    }

    private static void await(CompletableFuture<?> f) throws Exception {
        f.get(30, TimeUnit.SECONDS);
    }

    private static ReplicaDataException failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(ReplicaDataException.class, e.getCause());
    }
}
