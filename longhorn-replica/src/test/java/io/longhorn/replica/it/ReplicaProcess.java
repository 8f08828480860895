package io.longhorn.replica.it;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.longhorn.api.client.ReplicaDataClient;
import io.longhorn.api.replica.ReplicaServiceGrpc;
import io.longhorn.api.types.Address;
import io.longhorn.api.wire.Hello;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A replica process started through {@code bin/longhorn-replica} from the packaged application.
 * Its output goes to {@code target/it-logs/<name>.log}; {@link #close()} kills it if it still runs.
 */
final class ReplicaProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile(
            "^replica ready: control=(\\S+) data=(\\S+)(?: socket=(\\S+))? dir=(\\S+) size=(\\d+)$");

    final Process process;
    final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Matcher> ready = new CompletableFuture<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private String control;
    private Address data;
    private Path socket;
    private long size;

    private ReplicaProcess(Process process, Path log) {
        this.process = process;
        Thread.ofPlatform().daemon().name("replica output " + process.pid()).start(() -> pump(log));
    }

    static Path root() {
        String root = System.getProperty("longhorn.root");
        Path p = root == null ? Path.of("").toAbsolutePath() : Path.of(root);
        while (p != null && !Files.exists(p.resolve("bin/longhorn-replica"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find bin/longhorn-replica above " + root);
        }
        return p;
    }

    /** Starts a replica; does not wait for it (see {@link #awaitReady()}). */
    static ReplicaProcess launch(String logName, String... args) throws IOException {
        Path root = root();
        List<String> cmd = new ArrayList<>();
        cmd.add(root.resolve("bin/longhorn-replica").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path logs = root.resolve("longhorn-replica/target/it-logs");
        Files.createDirectories(logs);
        return new ReplicaProcess(pb.start(), logs.resolve(logName + ".log"));
    }

    /** Starts a replica on free loopback ports and waits for its ready line. */
    static ReplicaProcess start(String logName, Path dir, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0"));
        args.addAll(List.of(extra));
        args.add(dir.toString());
        ReplicaProcess p = launch(logName, args.toArray(String[]::new));
        try {
            p.awaitReady();
        } catch (Exception e) {
            p.close();
            throw e;
        }
        return p;
    }

    private void pump(Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                output.add(line);
                out.println(line);
                Matcher m = READY.matcher(line);
                if (m.matches()) {
                    ready.complete(m);
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
        ready.completeExceptionally(new IllegalStateException("replica exited before it was ready:\n" + String.join("\n", output)));
    }

    void awaitReady() throws Exception {
        Matcher m = ready.get(90, TimeUnit.SECONDS);
        control = m.group(1);
        data = Address.parse(m.group(2));
        socket = m.group(3) == null ? null : Path.of(m.group(3));
        size = Long.parseLong(m.group(5));
    }

    String control() {
        return control;
    }

    Address data() {
        return data;
    }

    Path socket() {
        return socket;
    }

    long size() {
        return size;
    }

    long pid() {
        return process.pid();
    }

    ReplicaDataClient connect() throws IOException {
        ReplicaDataClient c = ReplicaDataClient.connect(data, Duration.ofSeconds(10), new Hello("", 0, "tool-" + ProcessHandle.current().pid()));
        resources.add(c);
        return c;
    }

    ReplicaServiceGrpc.ReplicaServiceBlockingStub grpc() {
        String[] hp = control.split(":");
        ManagedChannel ch = NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext().build();
        resources.add(() -> ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
        return ReplicaServiceGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed by the process. */
    void kill9() throws InterruptedException {
        // Through the handle: Process.destroy* would also close our end of its output pipe.
        process.toHandle().destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and the exit code. */
    int terminate() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("replica " + pid() + " did not stop within 60 s of SIGTERM");
        }
        return process.exitValue();
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("replica " + pid() + " did not exit within 60 s");
        }
        return process.exitValue();
    }

    String outputText() {
        return String.join("\n", output);
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                // best effort
            }
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
