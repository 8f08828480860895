package io.longhorn.csi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a program of this host and collects its exit code and output ({@link LocalNodeHost} runs the node's through it). */
public final class Exec {
    private Exec() {
    }

    /** A finished program: exit code, stdout and stderr together. */
    public record Result(int code, String output) {
        public boolean ok() {
            return code == 0;
        }
    }

    public static Result run(List<String> cmd, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", cmd) + ": did not finish within " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            return new Result(-1, String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, String.join(" ", cmd) + ": interrupted");
        }
    }
}
