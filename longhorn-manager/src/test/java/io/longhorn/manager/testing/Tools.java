package io.longhorn.manager.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the Debian NBD clients (qemu-io, qemu-img) the tests drive volumes with. */
public final class Tools {
    private Tools() {
    }

    /** What a command printed and how it ended. */
    public record Result(int exit, String output) {
        public Result ok() {
            if (exit != 0) {
                throw new AssertionError("command failed with " + exit + ": " + output);
            }
            return this;
        }
    }

    public static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    /** Writes a byte pattern with qemu-io; fails the test when qemu-io does. */
    public static void writePattern(String uri, int pattern, String offset, String length) throws Exception {
        run("qemu-io", "-f", "raw", "-c", "write -P " + pattern + " " + offset + " " + length, uri).ok();
    }

    /** Reads and checks a byte pattern with qemu-io (which fails when any byte differs). */
    public static Result readPattern(String uri, int pattern, String offset, String length) throws Exception {
        return run("qemu-io", "-f", "raw", "-c", "read -P " + pattern + " " + offset + " " + length, uri);
    }
}
