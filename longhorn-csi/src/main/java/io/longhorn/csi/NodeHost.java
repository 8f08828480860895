package io.longhorn.csi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine the Node service acts on: it runs that machine's programs ({@code nbd-client},
 * {@code mkfs}, {@code mount}, ...) and reads and writes its files (the state directory,
 * {@code /proc/self/mountinfo}, {@code /sys/block}). In production this is the host the driver runs
 * on ({@link LocalNodeHost}); a test may put a separate machine, e.g. a VM with another kernel, in
 * its place. Paths are the node's.
 */
public interface NodeHost {
    /** Runs a program to its end (or the timeout: exit code -1), stdout and stderr together. */
    Exec.Result run(List<String> cmd, int timeoutSeconds);

    default Exec.Result run(List<String> cmd) {
        return run(cmd, 120);
    }

    /** Runs the program and throws INTERNAL with its output when it fails. */
    default String check(List<String> cmd) {
        Exec.Result r = run(cmd);
        if (!r.ok()) {
            throw Errors.internal(String.join(" ", cmd) + " failed (exit " + r.code() + "): " + r.output());
        }
        return r.output();
    }

    /** A program left running in the background. */
    interface Background {
        boolean alive();

        /** The exit code once it ended. */
        int exitCode();
    }

    /** Starts a long-running program in the background, its output (stdout and stderr) to {@code log}. */
    Background start(List<String> cmd, Path log) throws IOException;

    /** Ends process {@code pid} (SIGTERM, then SIGKILL after 10 s) when it runs {@code program}; else nothing. */
    void stop(long pid, String program);

    /**
     * Sets the size of {@code device}, a {@code /dev/nbdN} connected by the kernel's NBD client, to
     * {@code bytes} (netlink {@code NBD_CMD_RECONFIGURE}, see {@link NbdNetlink}); INTERNAL naming the
     * device and the kernel's errno when it refuses.
     */
    void resizeNbd(String device, long bytes);

    boolean exists(Path path);

    boolean isDirectory(Path path);

    String read(Path path) throws IOException;

    void write(Path path, String content) throws IOException;

    void createDirectories(Path dir) throws IOException;

    /** Creates an empty file unless something is there already. */
    void createFile(Path file) throws IOException;

    /** Removes a file or an empty directory, if there. */
    void deleteIfExists(Path path) throws IOException;

    /** Removes a directory with everything in it, if there. */
    void deleteTree(Path dir) throws IOException;
}
