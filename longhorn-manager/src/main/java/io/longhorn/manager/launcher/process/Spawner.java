package io.longhorn.manager.launcher.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Starts a service process with its output appended to a log file and waits for its ready line. */
final class Spawner {
    private Spawner() {
    }

    /** A process that printed its ready line. */
    record Spawned(ProcessHandle handle, Map<String, String> ready) {
    }

    /** The process did not become ready; {@code addressInUse} when a port was taken meanwhile. */
    static final class SpawnException extends Exception {
        final boolean addressInUse;

        SpawnException(String message, boolean addressInUse) {
            super(message);
            this.addressInUse = addressInUse;
        }
    }

    static Spawned start(List<String> command, Path log, String readyPrefix, Duration timeout, Map<String, String> env)
            throws SpawnException, IOException {
        return start(command, log, readyPrefix, timeout, env, h -> { });
    }

    /** @param started told the process as soon as it exists, before it is ready (so that it can be stopped) */
    static Spawned start(List<String> command, Path log, String readyPrefix, Duration timeout, Map<String, String> env,
                         java.util.function.Consumer<ProcessHandle> started) throws SpawnException, IOException {
        Files.createDirectories(log.getParent());
        Files.writeString(log, "=== " + Instant.now() + " " + String.join(" ", command) + System.lineSeparator(),
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        long offset = LogTail.size(log);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process process = pb.start();
        started.accept(process.toHandle());
        LogTail tail = new LogTail(log, offset);
        Instant deadline = Instant.now().plus(timeout);
        boolean inUse = false;
        try {
            while (true) {
                for (String line : tail.poll()) {
                    Optional<Map<String, String>> ready = ReadyLine.parse(readyPrefix, line);
                    if (ready.isPresent()) {
                        return new Spawned(process.toHandle(), ready.get());
                    }
                    if (line.contains("Address already in use") || line.contains("BindException")) {
                        inUse = true;
                    }
                }
                if (!process.isAlive()) {
                    for (String line : tail.poll()) {
                        inUse |= line.contains("Address already in use") || line.contains("BindException");
                    }
                    throw new SpawnException("exited with code " + process.exitValue() + " before it was ready: "
                            + tail.lastLines(), inUse);
                }
                if (Instant.now().isAfter(deadline)) {
                    kill(process.toHandle());
                    throw new SpawnException("not ready after " + timeout.toSeconds() + " s: " + tail.lastLines(), false);
                }
                Thread.sleep(25);
            }
        } catch (InterruptedException e) {
            kill(process.toHandle());
            Thread.currentThread().interrupt();
            throw new SpawnException("interrupted while starting", false);
        }
    }

    /** SIGTERM to the process and its descendants, SIGKILL after the grace period. */
    static void terminate(ProcessHandle handle, Duration grace) {
        List<ProcessHandle> all = new java.util.ArrayList<>(handle.descendants().toList());
        all.add(handle);
        all.forEach(ProcessHandle::destroy);
        Thread.ofVirtual().start(() -> {
            try {
                handle.onExit().get(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                all.forEach(ProcessHandle::destroyForcibly);
            }
        });
    }

    static void kill(ProcessHandle handle) {
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
    }
}
