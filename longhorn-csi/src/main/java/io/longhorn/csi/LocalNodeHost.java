package io.longhorn.csi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The node is the host the driver runs on: its programs through {@link Exec}, its files directly. */
public final class LocalNodeHost implements NodeHost {
    @Override
    public Exec.Result run(List<String> cmd, int timeoutSeconds) {
        return Exec.run(cmd, timeoutSeconds);
    }

    @Override
    public Background start(List<String> cmd, Path log) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Background() {
            @Override
            public boolean alive() {
                return p.isAlive();
            }

            @Override
            public int exitCode() {
                return p.exitValue();
            }
        };
    }

    @Override
    public void stop(long pid, String program) {
        ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.endsWith(program)).orElse(false))
                .ifPresent(h -> {
                    h.destroy();
                    try {
                        h.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        h.destroyForcibly();
                    }
                });
    }

    @Override
    public void resizeNbd(String device, long bytes) {
        try {
            NbdNetlink.resize(device, bytes);
        } catch (IOException | IllegalArgumentException e) {
            throw Errors.internal("cannot set the size of " + device + " to " + bytes + " bytes: " + e.getMessage());
        }
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public boolean isDirectory(Path path) {
        return Files.isDirectory(path);
    }

    @Override
    public String read(Path path) throws IOException {
        return Files.readString(path);
    }

    @Override
    public void write(Path path, String content) throws IOException {
        Files.writeString(path, content);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public void createFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
    }

    @Override
    public void deleteIfExists(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    @Override
    public void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
