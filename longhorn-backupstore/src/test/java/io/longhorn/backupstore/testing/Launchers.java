package io.longhorn.backupstore.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the {@code bin/} launchers of the reactor as processes. */
public final class Launchers {
    private Launchers() {
    }

    /** The reactor root (the build passes it as {@code longhorn.root}). */
    public static Path root() {
        String r = System.getProperty("longhorn.root");
        Path p = r != null ? Path.of(r) : Path.of("..").toAbsolutePath().normalize();
        if (!Files.isExecutable(p.resolve("bin/longhorn-backup"))) {
            throw new IllegalStateException("no bin/longhorn-backup under " + p);
        }
        return p;
    }

    /** A finished command. */
    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    public static ProcessBuilder builder(Map<String, String> env, String launcher, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(root().resolve("bin").resolve(launcher).toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        // Short-lived processes on a busy 2-core machine: C1 only, no C2 compile threads at start.
        pb.environment().putIfAbsent("LONGHORN_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        return pb;
    }

    /** Runs {@code bin/longhorn-backup args} to completion (at most 5 minutes). */
    public static Result backup(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("longhorn-backup-", ".out");
        Path err = Files.createTempFile("longhorn-backup-", ".err");
        Process p = builder(env, "longhorn-backup", List.of(args)).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("longhorn-backup " + String.join(" ", args) + " did not finish");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
