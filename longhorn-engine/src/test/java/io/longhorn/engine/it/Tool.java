package io.longhorn.engine.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external command to completion and keeps its output. */
final class Tool {

    /** Exit code and combined stdout/stderr. */
    record Result(List<String> command, int exit, String output) {
        Result ok() {
            if (exit != 0) {
                throw new AssertionError(String.join(" ", command) + " exited with " + exit + ":\n" + output);
            }
            return this;
        }

        Result failed() {
            if (exit == 0) {
                throw new AssertionError(String.join(" ", command) + " succeeded but should have failed:\n" + output);
            }
            return this;
        }
    }

    private Tool() {
    }

    static Result run(Duration timeout, String... command) {
        return run(timeout, Map.of(), List.of(command));
    }

    static Result run(Duration timeout, Map<String, String> env, List<String> command) {
        Path out = null;
        Process p = null;
        try {
            out = Files.createTempFile("lh-tool", ".out");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(env);
            // nbdsh is a Python tool and needs the system python first on the PATH.
            pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin:" + pb.environment().getOrDefault("PATH", ""));
            p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout + ":\n"
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (p != null) {
                p.destroyForcibly();
            }
            throw new AssertionError("interrupted running " + command, e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }
}
