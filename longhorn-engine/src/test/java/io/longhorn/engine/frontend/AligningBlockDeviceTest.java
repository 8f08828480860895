package io.longhorn.engine.frontend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.wire.WireStatus;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AligningBlockDeviceTest {

    private static final int SIZE = 1 << 20;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    @AfterEach
    void stopExecutor() {
        executor.shutdownNow();
    }

    @Test
    void alignedRequestsPassStraightThrough() {
        MemoryBlockDevice inner = new MemoryBlockDevice(SIZE, true, null);
        AligningBlockDevice dev = new AligningBlockDevice(inner);
        ByteBuffer src = filled(8192, (byte) 7);
        dev.write(4096, src, false).join();
        assertEquals(1, inner.writes.get());
        assertEquals(0, src.position(), "the caller's buffer position is left alone");
        ByteBuffer dst = ByteBuffer.allocate(8192);
        dev.read(4096, dst).join();
        assertArrayEquals(src.array(), dst.array());
        assertEquals(0, inner.unalignedRefused.get());
    }

    @Test
    void randomUnalignedWritesZeroesAndReadsMatchAPlainByteArray() {
        MemoryBlockDevice inner = new MemoryBlockDevice(SIZE, true, executor);
        AligningBlockDevice dev = new AligningBlockDevice(inner);
        byte[] expected = new byte[SIZE];
        Random random = new Random(42);
        for (int i = 0; i < 400; i++) {
            int length = 1 + random.nextInt(random.nextBoolean() ? 600 : 20000);
            int offset = random.nextInt(SIZE - length);
            switch (random.nextInt(3)) {
                case 0 -> {
                    byte[] data = new byte[length];
                    random.nextBytes(data);
                    // A direct buffer whose payload does not start at position 0.
                    ByteBuffer src = ByteBuffer.allocateDirect(length + 13).position(13);
                    src.put(data).position(13);
                    dev.write(offset, src, random.nextBoolean()).join();
                    System.arraycopy(data, 0, expected, offset, length);
                }
                case 1 -> {
                    dev.writeZeroes(offset, length, false).join();
                    Arrays.fill(expected, offset, offset + length, (byte) 0);
                }
                default -> {
                    ByteBuffer dst = ByteBuffer.allocate(length + 5).position(5);
                    dev.read(offset, dst).join();
                    assertArrayEquals(Arrays.copyOfRange(expected, offset, offset + length),
                            Arrays.copyOfRange(dst.array(), 5, 5 + length), "read of " + length + " at " + offset);
                }
            }
        }
        assertArrayEquals(expected, inner.data());
        assertEquals(0, inner.unalignedRefused.get(), "the inner device never saw an unaligned request");
        assertEquals(0, dev.pendingClaims());
    }

    @Test
    void twoConcurrentPartialWritesToOneBlockBothSurvive() {
        MemoryBlockDevice inner = new MemoryBlockDevice(SIZE, true, executor);
        AligningBlockDevice dev = new AligningBlockDevice(inner);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        inner.readGate = gate;
        // The first read-modify-write reads block 2 and is held there.
        CompletableFuture<Void> first = dev.write(8192 + 100, filled(50, (byte) 0x11), false);
        inner.readArrived.join();
        // The second one targets other bytes of the same block. Without the block lock it would read
        // the same old block and write it back without the first write's bytes.
        CompletableFuture<Void> second = dev.write(8192 + 3000, filled(60, (byte) 0x22), false);
        assertFalse(second.isDone());
        gate.complete(null);
        CompletableFuture.allOf(first, second).orTimeout(10, TimeUnit.SECONDS).join();
        byte[] block = Arrays.copyOfRange(inner.data(), 8192, 12288);
        byte[] expected = new byte[4096];
        Arrays.fill(expected, 100, 150, (byte) 0x11);
        Arrays.fill(expected, 3000, 3060, (byte) 0x22);
        assertArrayEquals(expected, block);
        assertEquals(0, dev.pendingClaims());
    }

    @Test
    void wholeBlockWriteOverABlockUnderReadModifyWriteWaitsAndIsNotOverwritten() {
        MemoryBlockDevice inner = new MemoryBlockDevice(SIZE, true, executor);
        AligningBlockDevice dev = new AligningBlockDevice(inner);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        inner.readGate = gate;
        CompletableFuture<Void> partial = dev.write(100, filled(10, (byte) 0x33), false);
        inner.readArrived.join();
        CompletableFuture<Void> whole = dev.write(0, filled(8192, (byte) 0x44), false);
        assertFalse(whole.isDone(), "the whole-block write waits for the read-modify-write of block 0");
        gate.complete(null);
        CompletableFuture.allOf(partial, whole).orTimeout(10, TimeUnit.SECONDS).join();
        byte[] expected = new byte[8192];
        Arrays.fill(expected, (byte) 0x44);
        assertArrayEquals(expected, Arrays.copyOfRange(inner.data(), 0, 8192));
    }

    @Test
    void wholeBlockWritesElsewhereDoNotWaitForAReadModifyWrite() {
        MemoryBlockDevice inner = new MemoryBlockDevice(SIZE, true, null);
        AligningBlockDevice dev = new AligningBlockDevice(inner);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        inner.readGate = gate;
        CompletableFuture<Void> partial = dev.write(100, filled(10, (byte) 0x33), false);
        CompletableFuture<Void> elsewhere = dev.write(4096 * 5, filled(4096, (byte) 0x55), false);
        assertTrue(elsewhere.isDone(), "a write to other blocks goes straight through");
        assertFalse(partial.isDone());
        gate.complete(null);
        partial.orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(0x33, inner.data()[105]);
    }

    @Test
    void partialWritesQueuedBehindEachOtherAllLand() {
        MemoryBlockDevice inner = new MemoryBlockDevice(SIZE, true, executor);
        AligningBlockDevice dev = new AligningBlockDevice(inner);
        CompletableFuture<?>[] writes = new CompletableFuture<?>[64];
        for (int i = 0; i < writes.length; i++) {
            // 64 writes of 64 bytes each into the same block, plus some whole-block writes next door.
            writes[i] = i % 8 == 7
                    ? dev.write(4096, filled(4096, (byte) i), false)
                    : dev.write(i * 64L, filled(64, (byte) (i + 1)), false);
        }
        CompletableFuture.allOf(writes).orTimeout(10, TimeUnit.SECONDS).join();
        for (int i = 0; i < writes.length; i++) {
            if (i % 8 != 7) {
                assertEquals((byte) (i + 1), inner.data()[i * 64], "bytes of write " + i);
            }
        }
        assertEquals(0, dev.pendingClaims());
    }

    @Test
    void unalignedTrimTrimsOnlyTheWholeBlocksInside() {
        MemoryBlockDevice inner = new MemoryBlockDevice(SIZE, true, null);
        AligningBlockDevice dev = new AligningBlockDevice(inner);
        Arrays.fill(inner.data(), (byte) 1);
        dev.trim(1000, 4096 * 3).join();
        // Only block 1 and 2 lie wholly inside [1000, 13288); the trim zeroes them in this fake.
        assertEquals(1, inner.data()[4095]);
        assertEquals(0, inner.data()[4096]);
        assertEquals(0, inner.data()[12287]);
        assertEquals(1, inner.data()[12288]);
        dev.trim(10, 100).join();
        assertEquals(1, inner.trims.get(), "a trim inside one block is dropped");
    }

    @Test
    void unalignedWriteZeroesZeroesExactlyTheRange() {
        MemoryBlockDevice inner = new MemoryBlockDevice(SIZE, true, null);
        AligningBlockDevice dev = new AligningBlockDevice(inner);
        Arrays.fill(inner.data(), (byte) 1);
        dev.writeZeroes(1000, 10000, true).join();
        assertEquals(1, inner.data()[999]);
        for (int i = 1000; i < 11000; i++) {
            assertEquals(0, inner.data()[i], "byte " + i);
        }
        assertEquals(1, inner.data()[11000]);
        assertEquals(1, inner.zeroes.get(), "the whole blocks inside go to writeZeroes");
    }

    @Test
    void innerErrorsKeepTheirErrnoAndReleaseTheBlockLocks() {
        MemoryBlockDevice inner = new MemoryBlockDevice(SIZE, true, null);
        AligningBlockDevice dev = new AligningBlockDevice(inner);
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> dev.write(SIZE - 10, filled(20, (byte) 1), false).join());
        Throwable cause = e.getCause();
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        BlockDeviceException bde = assertInstanceOf(BlockDeviceException.class, cause);
        assertEquals(WireStatus.EINVAL, bde.errno());
        assertEquals(0, dev.pendingClaims());
        dev.write(SIZE - 4096 + 5, filled(10, (byte) 9), false).orTimeout(5, TimeUnit.SECONDS).join();
        assertEquals(9, inner.data()[SIZE - 4096 + 5]);
    }

    private static ByteBuffer filled(int n, byte value) {
        byte[] b = new byte[n];
        Arrays.fill(b, value);
        return ByteBuffer.wrap(b);
    }
}
