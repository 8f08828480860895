package io.longhorn.backupstore.driver.file;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * {@code syncfs(2)}: makes everything written to one file system durable in a single call. After
 * a backup has written hundreds of block files, one syncfs costs far less than an fsync per file
 * and per directory (each of which waits for its own journal commit).
 */
final class SyncFs {
    private static final int O_RDONLY = 0;
    private static final int O_DIRECTORY = 0200000;
    private static final MethodHandle OPEN;
    private static final MethodHandle SYNCFS;
    private static final MethodHandle CLOSE;

    static {
        Linker linker = Linker.nativeLinker();
        var lookup = linker.defaultLookup();
        OPEN = lookup.find("open").map(a -> linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2)))
                .orElse(null);
        SYNCFS = lookup.find("syncfs").map(a -> linker.downcallHandle(a,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT))).orElse(null);
        CLOSE = lookup.find("close").map(a -> linker.downcallHandle(a,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT))).orElse(null);
    }

    private SyncFs() {
    }

    /** Syncs the file system holding {@code dir}; false when that is not possible here. */
    static boolean sync(Path dir) {
        if (OPEN == null || SYNCFS == null || CLOSE == null) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom(dir.toString()), O_RDONLY | O_DIRECTORY, 0);
            if (fd < 0) {
                return false;
            }
            try {
                return (int) SYNCFS.invokeExact(fd) == 0;
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (Throwable t) {
            return false;
        }
    }
}
