package io.longhorn.engine.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service started through its {@code bin/} launcher (so, from its packaged build, in the
 * {@link FrozenBuild} copy), its output in a log file, considered up once it printed its ready line.
 */
final class ServiceProcess implements AutoCloseable {

    static final Path ROOT = Path.of(System.getProperty("longhorn.root", "..")).toAbsolutePath().normalize();

    final String name;
    final Path log;
    final Process process;
    private final String readyPrefix;
    String readyLine;

    private ServiceProcess(String name, Path log, Process process, String readyPrefix) {
        this.name = name;
        this.log = log;
        this.process = process;
        this.readyPrefix = readyPrefix;
    }

    /**
     * Starts {@code bin/<launcher> args...} and waits for a line starting with {@code ready}.
     *
     * @throws AssertionError with the log when it exits or does not get ready in time
     */
    static ServiceProcess start(String launcher, Path log, String ready, List<String> args) throws IOException {
        return launch(launcher, log, ready, args).awaitReady();
    }

    /** Starts {@code bin/<launcher> args...}; {@link #awaitReady()} waits for its ready line. */
    static ServiceProcess launch(String launcher, Path log, String ready, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(FrozenBuild.root().resolve("bin").resolve(launcher).toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("LONGHORN_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC");
        return new ServiceProcess(launcher, log, pb.start(), ready);
    }

    /**
     * Waits for the ready line.
     *
     * @throws AssertionError with the log when it exits or does not get ready in time
     */
    ServiceProcess awaitReady() {
        try {
            String line = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> readyLine(readyPrefix), l -> l != null || !process.isAlive());
            if (line == null) {
                throw new AssertionError(name + " exited with " + process.waitFor() + " before it was ready:\n" + output());
            }
            readyLine = line;
            return this;
        } catch (RuntimeException | Error | InterruptedException e) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not get ready: " + e + "\n" + output(), e);
        }
    }

    private String readyLine(String prefix) throws IOException {
        for (String l : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        return null;
    }

    /** A {@code key=value} field of the ready line. */
    String field(String key) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(key) + "=(\\S+)").matcher(readyLine);
        if (!m.find()) {
            throw new AssertionError("no " + key + "= in ready line: " + readyLine);
        }
        return m.group(1);
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    long pid() {
        return process.pid();
    }

    /** Waits until the process exits by itself and returns its exit code. */
    int awaitExit(Duration max) throws InterruptedException {
        if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " still runs after " + max + ":\n" + output());
        }
        return process.exitValue();
    }

    /** Sends a signal (STOP, CONT) with kill(1). */
    void signal(String name) {
        Tool.run(Duration.ofSeconds(30), "kill", "-" + name, Long.toString(process.pid())).ok();
    }

    /** SIGKILL: no shutdown code runs. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait; SIGKILL when it takes too long. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
