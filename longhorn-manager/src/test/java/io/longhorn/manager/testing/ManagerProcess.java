package io.longhorn.manager.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The packaged manager ({@code target/quarkus-app/quarkus-run.jar}) as a process on a free port,
 * with the real {@code bin/} launchers. {@link #killInstances} ends the engines, replicas and backup
 * service it left running (they outlive the manager on purpose), by the pids it recorded, and
 * releases the block devices of their volumes.
 */
public final class ManagerProcess implements AutoCloseable {
    /** The admin token every test manager is started with ({@code --admin-token-file}). */
    public static final String ADMIN_TOKEN = TestTokens.ADMIN;

    private final Process process;
    private final int port;
    private final Path log;

    private ManagerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The admin token, for {@code Authorization: Bearer}. */
    public String token() {
        return ADMIN_TOKEN;
    }

    public static Path root() {
        return Path.of(System.getProperty("longhorn.root", "..")).toAbsolutePath().normalize();
    }

    /** Whether the services the manager launches are built (their launchers would fail otherwise). */
    public static boolean servicesBuilt() {
        return Stream.of("replica", "engine", "backupstore").allMatch(s ->
                Files.exists(root().resolve("longhorn-" + s).resolve("target/quarkus-app/quarkus-run.jar")));
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the manager and waits until its API answers. */
    public static ManagerProcess start(Path dataDir, int port) throws Exception {
        return start(dataDir, port, List.of(), "it-node", java.util.Map.of());
    }

    /**
     * Starts the manager under a command prefix (such as {@code setpriv --reuid 65534 ...} to run
     * it as another user) and waits until its API answers.
     */
    public static ManagerProcess start(Path dataDir, int port, List<String> prefix) throws Exception {
        return start(dataDir, port, prefix, "it-node", java.util.Map.of());
    }

    /** Starts the manager as the node, with more environment, and waits until its API answers. */
    public static ManagerProcess start(Path dataDir, int port, String nodeName, java.util.Map<String, String> env)
            throws Exception {
        return start(dataDir, port, List.of(), nodeName, env);
    }

    private static ManagerProcess start(Path dataDir, int port, List<String> prefix, String nodeName,
                                        java.util.Map<String, String> env) throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        Path log = dataDir.resolveSibling(dataDir.getFileName() + "-manager.log");
        Path tokenFile = TestTokens.adminTokenFile(dataDir.resolveSibling(dataDir.getFileName() + "-admin-token"));
        // A manager run as another user (the data directory's owner) reads it too.
        if (Files.exists(dataDir) && !Files.getOwner(dataDir).equals(Files.getOwner(tokenFile))) {
            Files.setOwner(tokenFile, Files.getOwner(dataDir));
        }
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", jar.toString(), "--data-dir", dataDir.toString(),
                "--listen", "127.0.0.1:" + port, "--bin-dir", root().resolve("bin").toString(),
                "--node-name", nodeName, "--admin-token-file", tokenFile.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ManagerProcess m = new ManagerProcess(p, port, log);
        Instant deadline = Instant.now().plusSeconds(60);
        HttpClient http = HttpClient.newHttpClient();
        while (Instant.now().isBefore(deadline)) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the manager exited with " + p.exitValue() + ": " + Files.readString(log));
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create(m.url() + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return m;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new IllegalStateException("the manager did not answer within 60 s: " + Files.readString(log));
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    /** Like a crash: SIGKILL, no shutdown. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    /** The pid of a running instance (engine or replica) by resource name, from its record. */
    public static Optional<Long> instancePid(Path dataDir, String name) throws IOException {
        Path f = dataDir.resolve("instances").resolve(name + ".json");
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        JsonNode n = new ObjectMapper().readTree(f.toFile());
        return Optional.of(n.path("pid").asLong());
    }

    /**
     * Kills every instance and service process the manager recorded under the data directory, and
     * any replica still starting (not recorded yet), found by its directory under the data directory.
     */
    public static void killInstances(Path dataDir) throws IOException {
        String marker = dataDir.toString() + "/";
        ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .filter(h -> h.pid() != ProcessHandle.current().pid())
                .forEach(ProcessHandle::destroyForcibly);
        for (String sub : List.of("instances", "services")) {
            Path d = dataDir.resolve(sub);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> files = Files.list(d)) {
                for (Path f : files.filter(x -> x.toString().endsWith(".json")).toList()) {
                    long pid = new ObjectMapper().readTree(f.toFile()).path("pid").asLong();
                    ProcessHandle.of(pid).ifPresent(h -> {
                        h.descendants().forEach(ProcessHandle::destroyForcibly);
                        h.destroyForcibly();
                    });
                }
            }
        }
        try {
            releaseDevices(dataDir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }


    /**
     * Undoes what the {@code blockdev} frontend left of a manager whose engines were killed: the
     * {@code /dev/longhorn} links to loop devices over files in the data directory, those loop
     * devices, and the FUSE mounts under the data directory (nbdfuse killed: "transport endpoint is
     * not connected").
     */
    public static void releaseDevices(Path dataDir) throws IOException, InterruptedException {
        String marker = dataDir.toAbsolutePath().toString() + "/";
        List<String> loops = new ArrayList<>();
        for (String line : Tools.run("losetup", "-n", "-O", "NAME,BACK-FILE").output().split("\n")) {
            String[] f = line.trim().split("\\s+", 2);
            if (f.length == 2 && f[1].startsWith(marker)) {
                loops.add(f[0]);
            }
        }
        Path links = Path.of("/dev/longhorn");
        if (Files.isDirectory(links)) {
            try (Stream<Path> all = Files.list(links)) {
                for (Path link : all.filter(Files::isSymbolicLink).toList()) {
                    if (loops.contains(Files.readSymbolicLink(link).toString())) {
                        Files.deleteIfExists(link);
                    }
                }
            }
        }
        for (String loop : loops) {
            Tools.run("losetup", "-d", loop);
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String target = line.split(" ")[1];
            if (target.startsWith(marker)) {
                Tools.run("fusermount3", "-u", "-z", target);
            }
        }
    }

    /** Removes a test's directory tree (replica files, logs). */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
