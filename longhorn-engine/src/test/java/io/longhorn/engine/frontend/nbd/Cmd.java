package io.longhorn.engine.frontend.nbd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an external client to completion (or kills it at the timeout) and keeps its output. */
final class Cmd {

    /** Exit code and combined stdout/stderr of a finished command. */
    record Result(List<String> command, int exit, String output) {
        Result ok() {
            if (exit != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + exit + ":\n" + output);
            }
            return this;
        }
    }

    private Cmd() {
    }

    static Result run(Duration timeout, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        // nbdsh is a Python tool; a python3 earlier on PATH may lack its module.
        pb.environment().put("PATH", "/usr/bin:/usr/sbin:/bin:/sbin:" + pb.environment().getOrDefault("PATH", ""));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command[0], e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread pump = Thread.ofPlatform().daemon().start(() -> copy(p.getInputStream(), out));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                pump.join(5000);
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout + ":\n"
                        + out.toString(StandardCharsets.UTF_8));
            }
            pump.join(5000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return new Result(List.of(command), p.exitValue(), out.toString(StandardCharsets.UTF_8));
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] b = new byte[8192];
        try {
            for (int n; (n = in.read(b)) > 0; ) {
                synchronized (out) {
                    out.write(b, 0, n);
                }
            }
        } catch (IOException ignored) {
            // process gone
        }
    }
}
