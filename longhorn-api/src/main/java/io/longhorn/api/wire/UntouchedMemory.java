package io.longhorn.api.wire;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Direct buffers that cost memory only where they are written.
 *
 * <p>{@link ByteBuffer#allocateDirect} zeroes what it allocates, so every page of the buffer is
 * resident from the start. A connection's staging and receive buffers are sized for a burst of
 * frames, and most connections (an idle volume's) never fill them: on a node that runs one replica
 * and one engine per volume, that is hundreds of KiB per connection that nothing reads. A buffer
 * from here is anonymous memory from {@code mmap}: the kernel gives a page on its first write (and
 * reads of a page never written see zeros), and the memory is unmapped once the buffer, and every
 * slice or duplicate of it, is unreachable, as a direct buffer's is freed.
 *
 * <p>Where foreign calls are not available (a runtime without them, or a native image without their
 * registration), {@link #allocate} falls back to {@link ByteBuffer#allocateDirect}: the same buffer,
 * with all of it resident.
 */
public final class UntouchedMemory {
    private static final Logger LOG = Logger.getLogger(UntouchedMemory.class.getName());
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final long MAP_FAILED = -1L;

    /** The downcalls, or null when this runtime cannot make them (or a call failed once). */
    private static volatile Native NATIVE = Native.load();

    private UntouchedMemory() {
    }

    private record Native(MethodHandle mmap, MethodHandle munmap) {
        static Native load() {
            try {
                Linker linker = Linker.nativeLinker();
                MethodHandle mmap = linker.downcallHandle(
                        linker.defaultLookup().find("mmap").orElseThrow(() -> new IllegalStateException("libc has no mmap")),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                MethodHandle munmap = linker.downcallHandle(
                        linker.defaultLookup().find("munmap").orElseThrow(() -> new IllegalStateException("libc has no munmap")),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                return new Native(mmap, munmap);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                // No foreign calls here (a runtime or image without them): plain direct buffers.
                LOG.log(Level.FINE, "no foreign calls; connection buffers are allocated resident", e);
                return null;
            }
        }
    }

    /** Whether buffers from {@link #allocate} are mapped on first touch here (else they are plain direct buffers). */
    public static boolean mapped() {
        return NATIVE != null;
    }

    /** A direct buffer of {@code size} bytes, all zero, whose pages become resident when written. */
    public static ByteBuffer allocate(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("buffer size must not be negative: " + size);
        }
        Native calls = NATIVE;
        if (calls == null || size == 0) {
            return ByteBuffer.allocateDirect(size);
        }
        MemorySegment at;
        try {
            at = (MemorySegment) calls.mmap.invokeExact(MemorySegment.NULL, (long) size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            // The call itself is refused (an image whose foreign calls were not registered): stop
            // trying, and allocate as Java does.
            LOG.log(Level.WARNING, "mmap through foreign calls failed; connection buffers are allocated resident", t);
            NATIVE = null;
            return ByteBuffer.allocateDirect(size);
        }
        if (at.address() == MAP_FAILED) {
            // Out of address space or of map count: the ordinary allocation reports it as Java does.
            return ByteBuffer.allocateDirect(size);
        }
        long length = size;
        MethodHandle munmap = calls.munmap;
        // The auto arena lives as long as the buffer (a buffer keeps its segment, and so its arena,
        // reachable); then the cleaner unmaps.
        MemorySegment mapped = at.reinterpret(length, Arena.ofAuto(), segment -> unmap(munmap, segment, length));
        return mapped.asByteBuffer();
    }

    private static void unmap(MethodHandle munmap, MemorySegment segment, long length) {
        try {
            int rc = (int) munmap.invokeExact(MemorySegment.ofAddress(segment.address()), length);
            if (rc != 0) {
                LOG.warning("munmap of " + length + " bytes at 0x" + Long.toHexString(segment.address()) + " failed");
            }
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "munmap of " + length + " bytes failed", t);
        }
    }
}
