package io.longhorn.backupstore.source.dir;

import io.longhorn.backupstore.source.Extent;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The data/hole map of a sparse file through {@code lseek(2)} with {@code SEEK_DATA} and
 * {@code SEEK_HOLE}, called with the foreign function API (the JDK has no such call).
 */
public final class SparseFiles {
    private static final int O_RDONLY = 0;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int ENXIO = 6;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = LINKER.downcallHandle(
            LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    private static final MethodHandle LSEEK = LINKER.downcallHandle(
            LINKER.defaultLookup().find("lseek").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private SparseFiles() {
    }

    /** The data extents of {@code file}, sorted; a file with no data has none. */
    public static List<Extent> dataExtents(Path file) throws IOException {
        List<Extent> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(file.toString()), O_RDONLY, 0);
            if (fd < 0) {
                throw new IOException("cannot open " + file + ": errno " + (int) ERRNO.get(state, 0L));
            }
            try {
                long pos = 0;
                while (true) {
                    long data = (long) LSEEK.invokeExact(state, fd, pos, SEEK_DATA);
                    if (data < 0) {
                        int errno = (int) ERRNO.get(state, 0L);
                        if (errno == ENXIO) {
                            break; // no data after pos
                        }
                        throw new IOException("lseek(SEEK_DATA) on " + file + " failed: errno " + errno);
                    }
                    long hole = (long) LSEEK.invokeExact(state, fd, data, SEEK_HOLE);
                    if (hole < 0) {
                        throw new IOException("lseek(SEEK_HOLE) on " + file + " failed: errno "
                                + (int) ERRNO.get(state, 0L));
                    }
                    out.add(new Extent(data, hole - data));
                    pos = hole;
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("cannot map the extents of " + file + ": " + t, t);
        }
        return out;
    }
}
