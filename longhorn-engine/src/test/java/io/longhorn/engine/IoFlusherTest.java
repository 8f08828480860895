package io.longhorn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class IoFlusherTest {
    private static final int CAP_SYS_RESOURCE = 24;

    /** Whether this process may set the flag: bit 24 of {@code CapEff} in {@code /proc/self/status}. */
    static boolean hasCapSysResource() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return new BigInteger(line.substring("CapEff:".length()).trim(), 16).testBit(CAP_SYS_RESOURCE);
            }
        }
        throw new IllegalStateException("/proc/self/status has no CapEff");
    }

    record Seen(boolean before, IoFlusher.Result result, boolean after, boolean child) {
    }

    /**
     * Marks a fresh thread (the flag is per thread, so the test's own thread stays as it was) and
     * asks the kernel before and after, and in a thread started afterwards. Asking needs the same
     * capability as marking: only with it.
     */
    static Seen markInFreshThread(boolean ask) throws Exception {
        AtomicReference<Seen> seen = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                boolean before = ask && IoFlusher.isCallingThreadMarked();
                IoFlusher.Result r = IoFlusher.markCallingThread();
                boolean after = ask && IoFlusher.isCallingThreadMarked();
                AtomicReference<Boolean> child = new AtomicReference<>(false);
                if (ask) {
                    Thread c = new Thread(() -> child.set(IoFlusher.isCallingThreadMarked()));
                    c.start();
                    c.join();
                }
                seen.set(new Seen(before, r, after, child.get()));
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        t.start();
        t.join();
        if (failed.get() != null) {
            throw new AssertionError(failed.get());
        }
        return seen.get();
    }

    @Test
    void theMarkIsMadeWhenPermittedAndItsResultReported() throws Exception {
        boolean permitted = hasCapSysResource();
        Seen s = markInFreshThread(permitted);
        if (permitted) {
            assertFalse(s.before(), "a new thread of an unmarked one is not an I/O flusher");
            assertTrue(s.result().marked(), s.result().message());
            assertEquals(0, s.result().errno());
            assertTrue(s.after(), "PR_GET_IO_FLUSHER says 1 after the mark");
            assertTrue(s.child(), "a thread started afterwards inherits the mark");
        } else {
            assertRefused(s.result());
        }
    }

    static void assertRefused(IoFlusher.Result r) {
        assertFalse(r.marked(), r.message());
        assertEquals(1, r.errno(), "EPERM without CAP_SYS_RESOURCE: " + r.message());
        assertTrue(r.message().startsWith("not marked as an I/O flusher (PR_SET_IO_FLUSHER: it needs CAP_SYS_RESOURCE)"),
                r.message());
    }

    @Test
    void aProcessWithoutCapSysResourceIsRefusedAndCarriesOn() throws Exception {
        // The same call in a child process that dropped CAP_SYS_RESOURCE from every set: setpriv is
        // util-linux's, java the one running this test.
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cp = System.getProperty("java.class.path");
        Process p = new ProcessBuilder("setpriv", "--inh-caps=-sys_resource", "--bounding-set=-sys_resource", "--",
                java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, IoFlusherTest.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), out);
        String[] f = out.split(" ", 5);
        assertEquals(5, f.length, out);
        assertRefused(new IoFlusher.Result(Boolean.parseBoolean(f[0]), Integer.parseInt(f[1]), f[4]));
    }

    /**
     * Marks its main thread and prints {@code marked errno after child message}: whether the kernel
     * then says the thread and a thread it started afterwards are I/O flushers ({@code -} when not
     * marked: asking needs the capability too). Run as a child process here and in {@code IoFlusherVmIT}.
     */
    public static void main(String[] args) throws Exception {
        IoFlusher.Result r = IoFlusher.markCallingThread();
        String after = "-";
        String child = "-";
        if (r.marked()) {
            after = Boolean.toString(IoFlusher.isCallingThreadMarked());
            boolean[] seen = new boolean[1];
            Thread t = new Thread(() -> seen[0] = IoFlusher.isCallingThreadMarked());
            t.start();
            t.join();
            child = Boolean.toString(seen[0]);
        }
        System.out.println(r.marked() + " " + r.errno() + " " + after + " " + child + " " + r.message());
    }
}
