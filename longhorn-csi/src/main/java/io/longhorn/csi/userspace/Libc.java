package io.longhorn.csi.userspace;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few C library calls the userspace export needs and Java has no API for: the FUSE device is
 * read and written by file descriptor, mounted with {@code mount(2)}, and the threads serving it
 * mark themselves I/O flushers. Each call reports {@code errno} as an {@link ErrnoException}.
 */
final class Libc {
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;
    static final int MNT_DETACH = 2;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EAGAIN = 11;
    static final int ENODEV = 19;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;

    /** {@code PR_SET_IO_FLUSHER} from {@code <linux/prctl.h>} (Linux 5.6). */
    private static final int PR_SET_IO_FLUSHER = 57;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle READ;
    private static final MethodHandle WRITE;
    private static final MethodHandle MOUNT;
    private static final MethodHandle UMOUNT2;
    private static final MethodHandle PRCTL;

    static {
        Linker linker = Linker.nativeLinker();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        OPEN = handle(linker, "open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT), errno, Linker.Option.firstVariadicArg(2));
        CLOSE = handle(linker, "close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno);
        READ = handle(linker, "read", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), errno);
        WRITE = handle(linker, "write", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), errno);
        MOUNT = handle(linker, "mount", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), errno);
        UMOUNT2 = handle(linker, "umount2", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT), errno);
        PRCTL = handle(linker, "prctl", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), errno);
    }

    private static MethodHandle handle(Linker linker, String name, FunctionDescriptor fd, Linker.Option... options) {
        return linker.downcallHandle(linker.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("the C library has no " + name)), fd, options);
    }

    /** A failed call: the call, and the {@code errno} it set. */
    static final class ErrnoException extends IOException {
        final int errno;

        ErrnoException(String call, int errno) {
            super(call + " failed: errno " + errno + name(errno));
            this.errno = errno;
        }

        private static String name(int errno) {
            return switch (errno) {
                case EPERM -> " (EPERM)";
                case ENOENT -> " (ENOENT)";
                case EIO -> " (EIO)";
                case ENODEV -> " (ENODEV)";
                case EINVAL -> " (EINVAL)";
                case ENOSYS -> " (ENOSYS)";
                default -> "";
            };
        }
    }

    /** Per-thread room for the {@code errno} a call leaves. */
    private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(CALL_STATE));

    private Libc() {
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    static int open(String path, int flags) throws ErrnoException {
        MemorySegment state = STATE.get();
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(state, a.allocateFrom(path), flags);
            if (fd < 0) {
                throw new ErrnoException("open " + path, errno(state));
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void close(int fd) {
        try {
            int rc = (int) CLOSE.invokeExact(STATE.get(), fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** One {@code read(2)} into the start of {@code buf}, retried when interrupted; the bytes read. */
    static int read(int fd, MemorySegment buf) throws ErrnoException {
        MemorySegment state = STATE.get();
        while (true) {
            long n;
            try {
                n = (long) READ.invokeExact(state, fd, buf, buf.byteSize());
            } catch (Throwable t) {
                throw unexpected(t);
            }
            if (n >= 0) {
                return (int) n;
            }
            int e = errno(state);
            if (e != EINTR) {
                throw new ErrnoException("read", e);
            }
        }
    }

    /** One {@code write(2)} of the first {@code length} bytes of {@code buf}, retried when interrupted. */
    static void write(int fd, MemorySegment buf, long length) throws ErrnoException {
        MemorySegment state = STATE.get();
        while (true) {
            long n;
            try {
                n = (long) WRITE.invokeExact(state, fd, buf, length);
            } catch (Throwable t) {
                throw unexpected(t);
            }
            if (n >= 0) {
                return;
            }
            int e = errno(state);
            if (e != EINTR) {
                throw new ErrnoException("write", e);
            }
        }
    }

    static void mount(String source, String target, String type, long flags, String data) throws ErrnoException {
        MemorySegment state = STATE.get();
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) MOUNT.invokeExact(state, a.allocateFrom(source), a.allocateFrom(target),
                    a.allocateFrom(type), flags, a.allocateFrom(data));
            if (rc != 0) {
                throw new ErrnoException("mount " + target, errno(state));
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void umount2(String target, int flags) throws ErrnoException {
        MemorySegment state = STATE.get();
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) UMOUNT2.invokeExact(state, a.allocateFrom(target), flags);
            if (rc != 0) {
                throw new ErrnoException("umount " + target, errno(state));
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * Marks the calling thread an I/O flusher ({@code PR_SET_IO_FLUSHER}): the threads that serve a
     * loop device's writes must not wait for memory reclaim, which may wait for those writes. Needs
     * {@code CAP_SYS_RESOURCE}; whether it worked is returned, nothing is thrown.
     */
    static boolean markIoFlusher() {
        try {
            return (int) PRCTL.invokeExact(STATE.get(), PR_SET_IO_FLUSHER, 1L, 0L, 0L, 0L) == 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
