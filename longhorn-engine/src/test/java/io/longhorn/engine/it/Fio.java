package io.longhorn.engine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** fio with its nbd engine, run in the background so that a test can act while it writes. */
final class Fio implements AutoCloseable {

    final Process process;
    final Path log;

    private Fio(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts fio against {@code uri}; {@code options} are fio options such as {@code --rw=randwrite}. */
    static Fio start(Path dir, String name, String uri, String... options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("fio", "--name=" + name, "--ioengine=nbd", "--uri=" + uri,
                "--output-format=json", "--verify_state_save=0"));
        cmd.addAll(List.of(options));
        Path log = dir.resolve("fio-" + name + ".json");
        // fio leaves verify state files in its working directory: keep them in the test's.
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Fio(p, log);
    }

    /** Waits for fio and checks it ended with exit code 0 and no I/O or verify error. */
    String awaitSuccess(long minutes) throws Exception {
        return await(minutes, 0);
    }

    /**
     * Stops a time-based run early the way a user would (SIGINT: fio finishes its jobs and reports)
     * and checks that no I/O failed. fio exits with 128 then.
     */
    String interruptAndCheck() throws Exception {
        Tool.run(java.time.Duration.ofSeconds(10), "kill", "-INT", Long.toString(process.pid())).ok();
        return await(2, 128);
    }

    private String await(long minutes, int expectedExit) throws Exception {
        if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("fio did not finish within " + minutes + " minutes:\n" + output());
        }
        String out = output();
        assertEquals(expectedExit, process.exitValue(), "fio failed:\n" + out);
        Matcher m = Pattern.compile("\"error\"\\s*:\\s*(\\d+)").matcher(out);
        boolean any = false;
        while (m.find()) {
            any = true;
            assertEquals("0", m.group(1), "fio reported an error:\n" + out);
        }
        if (!any) {
            throw new AssertionError("no fio result in:\n" + out);
        }
        return out;
    }

    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
