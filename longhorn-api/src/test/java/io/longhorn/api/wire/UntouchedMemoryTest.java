package io.longhorn.api.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

class UntouchedMemoryTest {
    private static final int PAGE = 4096;

    @Test
    void mapsOnLinux() {
        assertTrue(UntouchedMemory.mapped(), "foreign calls to mmap should work in this runtime");
    }

    @Test
    void onlyWrittenPagesAreResident() throws Throwable {
        int size = 64 << 20;
        ByteBuffer b = UntouchedMemory.allocate(size);
        long address = MemorySegment.ofBuffer(b).address();
        assertEquals(0, residentKiB(address, size), "nothing written yet");

        for (int at = 0; at < (1 << 20); at += PAGE) {
            b.put(at, (byte) 1);
        }
        long resident = residentKiB(address, size);
        assertTrue(resident >= 1024 && resident < 2048, "1 MiB written, resident " + resident + " KiB");

        for (int at = 1 << 20; at < size; at += PAGE) {
            assertEquals(0, b.get(at), "an unwritten page reads as zeros");
        }
        assertEquals(1, b.get(PAGE));
    }

    @Test
    void behavesAsADirectBuffer() {
        ByteBuffer b = UntouchedMemory.allocate(3 * PAGE + 17);
        assertTrue(b.isDirect());
        assertEquals(3 * PAGE + 17, b.capacity());
        assertEquals(0, b.position());
        assertEquals(b.capacity(), b.limit());
        assertEquals(ByteOrder.BIG_ENDIAN, b.order());
        b.putLong(PAGE - 4, 0x0102030405060708L);
        assertEquals(0x0102030405060708L, b.getLong(PAGE - 4));
        assertEquals(1, b.get(PAGE - 4));
        assertEquals(0, UntouchedMemory.allocate(0).capacity());
    }

    @Test
    void refusesANegativeSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UntouchedMemory.allocate(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void aSliceKeepsTheMemoryMapped() throws Exception {
        ByteBuffer slice = sliceOfDroppedBuffer();
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
        }
        slice.putInt(0, 42);
        assertEquals(42, slice.getInt(0));
        assertEquals(7, slice.get(PAGE));
    }

    private static ByteBuffer sliceOfDroppedBuffer() {
        ByteBuffer b = UntouchedMemory.allocate(4 * PAGE);
        b.put(2 * PAGE, (byte) 7);
        return b.slice(PAGE, 2 * PAGE);
    }

    @Test
    void unmappedOnceUnreachable() throws Throwable {
        int size = 8 << 20;
        long address = addressOfDroppedBuffer(size);
        assertTrue(mapped(address, size), "mapped while in use");
        // The cleaner runs after a collection found the buffer unreachable; wait for it, bounded.
        for (int i = 0; i < 300 && mapped(address, size); i++) {
            System.gc();
            Thread.sleep(100);
        }
        assertTrue(!mapped(address, size), "the mapping at 0x" + Long.toHexString(address) + " is still there");
    }

    private static long addressOfDroppedBuffer(int size) {
        ByteBuffer b = UntouchedMemory.allocate(size);
        b.put(0, (byte) 1);
        return MemorySegment.ofBuffer(b).address();
    }

    /** mincore(2): which pages of a range are resident; -1 when part of the range is not mapped. */
    private static final MethodHandle MINCORE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("mincore").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

    private static int mincore(long address, long size, MemorySegment vector) throws Throwable {
        return (int) MINCORE.invokeExact(MemorySegment.ofAddress(address), size, vector);
    }

    /** Whether every page of [address, address + size) is mapped. */
    private static boolean mapped(long address, long size) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            return mincore(address, size, arena.allocate(size / PAGE)) == 0;
        }
    }

    /** The resident part of [address, address + size), in KiB. */
    private static long residentKiB(long address, long size) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vector = arena.allocate(size / PAGE);
            assertEquals(0, mincore(address, size, vector), "mincore");
            long pages = 0;
            for (long i = 0; i < size / PAGE; i++) {
                pages += vector.get(ValueLayout.JAVA_BYTE, i) & 1;
            }
            return pages * PAGE / 1024;
        }
    }
}
