package io.longhorn.replica.store;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The few Linux file calls the JDK does not offer, through {@code java.lang.foreign}: walking a
 * sparse file's data/hole map with {@code lseek(SEEK_DATA/SEEK_HOLE)}, punching holes with
 * {@code fallocate(PUNCH_HOLE | KEEP_SIZE)}, and reading only what the page cache holds with
 * {@code preadv2(RWF_NOWAIT)}.
 *
 * <p>These let the replica keep its per-block layer index in memory only: at open the index is
 * rebuilt from the file system's own allocation map, so a data write never has to touch metadata.
 */
final class NativeFiles {
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    private static final int ENXIO = 6;
    private static final int RWF_NOWAIT = 0x08;
    /** Size of a struct iovec on 64-bit Linux: a pointer and a size_t. */
    private static final long IOVEC_SIZE = 16;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle LSEEK = downcall("lseek",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle FALLOCATE = downcall("fallocate",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));

    private static final MethodHandle PREADV2 = LINKER.defaultLookup().find("preadv2")
            .map(sym -> LINKER.downcallHandle(sym, FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), CAPTURE))
            .orElse(null);
    private static final int EINVAL = 22;
    private static final int EOPNOTSUPP = 95;
    /** One iovec and one errno slot per thread for {@link #readCached}: no allocation per read. */
    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> {
        Arena arena = Arena.ofAuto();
        return new MemorySegment[] {arena.allocate(IOVEC_SIZE, 8), arena.allocate(CALL_STATE)};
    });
    /** Cleared the first time the kernel refuses RWF_NOWAIT (before Linux 4.14, some file systems). */
    private static volatile boolean noWaitWorks = PREADV2 != null;

    private NativeFiles() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor fd) {
        MemorySegment sym = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc has no " + name));
        return LINKER.downcallHandle(sym, fd, CAPTURE);
    }

    /** An open file descriptor, for the calls that need one. */
    static final class Fd implements AutoCloseable {
        private final int fd;
        private final Path path;
        private boolean closed;

        private Fd(int fd, Path path) {
            this.fd = fd;
            this.path = path;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                try {
                    int ignored = (int) CLOSE.invokeExact(fd);
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            }
        }
    }

    static Fd open(Path path, boolean writable) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment cpath = arena.allocateFrom(path.toString());
            int fd = (int) OPEN.invokeExact(state, cpath, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("open " + path + " failed: errno " + (int) ERRNO.get(state, 0L));
            }
            return new Fd(fd, path);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("open " + path + " failed", t);
        }
    }

    /**
     * Reads {@code dst.remaining()} bytes at {@code pos} only if the page cache holds all of them:
     * {@code preadv2(RWF_NOWAIT)}, which never waits for the disk. On success dst's position
     * advances to its limit. On false dst's content between position and limit is undefined and
     * its position unchanged; the caller then reads the ordinary way, which also reports any error
     * (this method reports none: EAGAIN, a short read, the end of the file and a failure all just
     * mean "not now").
     *
     * @param dst a direct buffer
     */
    static boolean readCached(Fd fd, ByteBuffer dst, long pos) {
        if (!noWaitWorks || !dst.isDirect()) {
            return false;
        }
        int len = dst.remaining();
        MemorySegment[] scratch = SCRATCH.get();
        MemorySegment iov = scratch[0];
        MemorySegment state = scratch[1];
        iov.set(ValueLayout.ADDRESS, 0, MemorySegment.ofBuffer(dst));
        iov.set(ValueLayout.JAVA_LONG, 8, len);
        long n;
        try {
            n = (long) PREADV2.invokeExact(state, fd.fd, iov, 1, pos, RWF_NOWAIT);
        } catch (Throwable t) {
            return false;
        }
        if (n == len) {
            dst.position(dst.limit());
            return true;
        }
        if (n < 0) {
            int errno = (int) ERRNO.get(state, 0L);
            if (errno == EOPNOTSUPP || errno == EINVAL) {
                noWaitWorks = false; // the kernel or the file system does not know the flag
            }
        }
        return false;
    }

    /**
     * The data extents of a file, rounded outward to {@code align} bytes and merged, from the
     * file system's data/hole map.
     */
    static List<Extent> dataExtents(Path path, long align) throws IOException {
        List<Extent> out = new ArrayList<>();
        try (Fd fd = open(path, false); Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long pos = 0;
            while (true) {
                long data = (long) LSEEK.invokeExact(state, fd.fd, pos, SEEK_DATA);
                if (data < 0) {
                    int errno = (int) ERRNO.get(state, 0L);
                    if (errno == ENXIO) {
                        break; // no data at or after pos
                    }
                    throw new IOException("lseek(SEEK_DATA) on " + path + " failed: errno " + errno);
                }
                long hole = (long) LSEEK.invokeExact(state, fd.fd, data, SEEK_HOLE);
                if (hole < 0) {
                    throw new IOException("lseek(SEEK_HOLE) on " + path + " failed: errno " + (int) ERRNO.get(state, 0L));
                }
                long start = Math.floorDiv(data, align) * align;
                long end = Math.ceilDiv(hole, align) * align;
                if (!out.isEmpty() && out.getLast().end() >= start) {
                    Extent last = out.removeLast();
                    out.add(new Extent(last.offset(), Math.max(end, last.end()) - last.offset()));
                } else {
                    out.add(new Extent(start, end - start));
                }
                pos = hole;
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("reading the data map of " + path + " failed", t);
        }
        return out;
    }

    /** Deallocates a byte range, which then reads as zeros; the file size stays. */
    static void punchHole(Fd fd, long offset, long length) throws IOException {
        if (length <= 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) FALLOCATE.invokeExact(state, fd.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
            if (rc != 0) {
                throw new IOException("punching a hole of " + length + " bytes at " + offset + " in " + fd.path
                        + " failed: errno " + (int) ERRNO.get(state, 0L));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("punching a hole in " + fd.path + " failed", t);
        }
    }
}
