package io.longhorn.engine;

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
 * Marks the engine as an I/O flusher: {@code prctl(PR_SET_IO_FLUSHER, 1, 0, 0, 0)}.
 *
 * <p>Why: when a node's kernel NBD client writes back dirty pages of a volume under memory pressure,
 * those writes are served by this process. If the engine's own memory allocations then wait for
 * reclaim, and reclaim waits for that write-back, both wait for ever. An I/O flusher's allocations
 * do not start I/O to reclaim memory ({@code PF_MEMALLOC_NOIO}) and are not throttled as the
 * writers they serve are ({@code PF_LOCAL_THROTTLE}).
 *
 * <p>The flag belongs to a thread and is inherited by the threads it creates afterwards, so the
 * engine sets it first thing on its main thread, before Quarkus, Netty and the replica clients start
 * their threads. Setting it needs {@code CAP_SYS_RESOURCE}; without it the engine runs as before.
 */
public final class IoFlusher {
    /** {@code PR_SET_IO_FLUSHER} and {@code PR_GET_IO_FLUSHER} from {@code <linux/prctl.h>} (Linux 5.6). */
    static final int PR_SET_IO_FLUSHER = 57;
    static final int PR_GET_IO_FLUSHER = 58;
    private static final int EPERM = 1;
    private static final int EINVAL = 22;

    /** The downcall, made on first use (a runtime without foreign calls fails there, not at class load). */
    private static final class Native {
        static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle PRCTL;

        static {
            Linker linker = Linker.nativeLinker();
            PRCTL = linker.downcallHandle(
                    linker.defaultLookup().find("prctl").orElseThrow(() -> new IllegalStateException("libc has no prctl")),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                    Linker.Option.captureCallState("errno"));
        }
    }

    /** What setting the flag gave: {@code marked}, or the errno and a sentence saying why not. */
    public record Result(boolean marked, int errno, String message) {
    }

    private static volatile Result atStart;

    private IoFlusher() {
    }

    /** Marks the calling thread (and the threads it starts from now on) as an I/O flusher. */
    public static Result markCallingThread() {
        int[] errno = new int[1];
        int rc;
        try {
            rc = prctl(PR_SET_IO_FLUSHER, 1, errno);
        } catch (RuntimeException | LinkageError e) {
            return new Result(false, -1, "not marked as an I/O flusher: " + e.getMessage());
        }
        if (rc == 0) {
            return new Result(true, 0, "marked as an I/O flusher (PR_SET_IO_FLUSHER)");
        }
        String why = switch (errno[0]) {
            case EPERM -> "it needs CAP_SYS_RESOURCE";
            case EINVAL -> "the kernel is older than Linux 5.6";
            default -> "errno " + errno[0];
        };
        return new Result(false, errno[0], "not marked as an I/O flusher (PR_SET_IO_FLUSHER: " + why
                + "); under memory pressure a kernel NBD client on this host can deadlock against the engine");
    }

    /**
     * Whether the calling thread is an I/O flusher ({@code PR_GET_IO_FLUSHER}; asking needs
     * {@code CAP_SYS_RESOURCE} too: without it this throws).
     */
    public static boolean isCallingThreadMarked() {
        int[] errno = new int[1];
        int rc = prctl(PR_GET_IO_FLUSHER, 0, errno);
        if (rc < 0) {
            throw new IllegalStateException("prctl(PR_GET_IO_FLUSHER) failed: errno " + errno[0]);
        }
        return rc == 1;
    }

    /** Marks the calling thread at the process's start and keeps the result for {@link #atStart()}. */
    static void markAtStart() {
        atStart = markCallingThread();
    }

    /** The result of the mark at start, or null when the process did not try (a CLI command, a test). */
    public static Result atStart() {
        return atStart;
    }

    private static int prctl(int option, long arg2, int[] errno) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.CALL_STATE);
            int rc = (int) Native.PRCTL.invokeExact(state, option, arg2, 0L, 0L, 0L);
            errno[0] = (int) Native.ERRNO.get(state, 0L);
            return rc;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("prctl(" + option + ") could not be called: " + t, t);
        }
    }
}
