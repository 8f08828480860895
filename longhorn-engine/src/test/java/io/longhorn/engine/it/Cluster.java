package io.longhorn.engine.it;

import static org.awaitility.Awaitility.await;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.longhorn.api.engine.Empty;
import io.longhorn.api.engine.EngineServiceGrpc;
import io.longhorn.api.engine.Replica;
import io.longhorn.api.engine.ReplicaMode;
import io.longhorn.api.engine.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Replica and engine processes of one test, on one temporary directory; closing stops them all,
 * engines first.
 */
final class Cluster implements AutoCloseable {

    static final Duration TOOL_TIMEOUT = Duration.ofMinutes(3);

    final Path dir;
    final List<ServiceProcess> replicas = new ArrayList<>();
    final List<Engine> engines = new ArrayList<>();
    private int logs;
    /** The volume's secret file given to every process started, or null. */
    private Path secretFile;

    Cluster(Path dir) {
        this.dir = dir;
    }

    /** The secret in the file given to every process, or null. */
    io.longhorn.api.auth.VolumeSecret secret() {
        try {
            return secretFile == null ? null : io.longhorn.api.auth.VolumeSecret.load(secretFile);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Gives every replica and engine started from now on this secret file (null: none). */
    Cluster withSecret(Path secretFile) {
        this.secretFile = secretFile;
        return this;
    }

    /** Starts a replica of {@code size} bytes in a new directory {@code name}. */
    ServiceProcess replica(String name, String size) throws IOException {
        return replicaIn(dir.resolve(name), size);
    }

    /** Starts (or restarts) the replica in {@code replicaDir}. */
    ServiceProcess replicaIn(Path replicaDir, String size) throws IOException {
        return launchReplica(replicaDir, size).awaitReady();
    }

    /** Starts replicas {@code names} of {@code size} bytes side by side (faster than one by one). */
    List<ServiceProcess> replicas(String size, String... names) throws IOException {
        List<ServiceProcess> started = new ArrayList<>();
        for (String n : names) {
            started.add(launchReplica(dir.resolve(n), size));
        }
        started.forEach(ServiceProcess::awaitReady);
        return started;
    }

    private ServiceProcess launchReplica(Path replicaDir, String size) throws IOException {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--size", size));
        if (secretFile != null) {
            args.addAll(List.of("--secret-file", secretFile.toString()));
        }
        args.add(replicaDir.toString());
        ServiceProcess r = ServiceProcess.launch("longhorn-replica", dir.resolve("replica-" + (logs++) + ".log"),
                "replica ready:", args);
        replicas.add(r);
        return r;
    }

    /**
     * Starts a replica in a new directory {@code name} on a control port chosen beforehand (its data
     * port is picked by the replica), without waiting for it to get ready.
     */
    ServiceProcess launchReplicaAt(String name, String size, int controlPort) throws IOException {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:" + controlPort, "--data-listen",
                "127.0.0.1:0", "--size", size));
        if (secretFile != null) {
            args.addAll(List.of("--secret-file", secretFile.toString()));
        }
        args.add(dir.resolve(name).toString());
        ServiceProcess r = ServiceProcess.launch("longhorn-replica", dir.resolve("replica-" + (logs++) + ".log"),
                "replica ready:", args);
        replicas.add(r);
        return r;
    }

    /** A TCP port on loopback that was free a moment ago. */
    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts an engine over replica control addresses (running or not), without waiting for it. */
    ServiceProcess launchEngineOver(String volume, List<String> controls, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("controller", "--listen", "127.0.0.1:0", "--nbd-listen", "127.0.0.1:0"));
        Collections.addAll(args, extra);
        if (secretFile != null) {
            args.addAll(List.of("--secret-file", secretFile.toString()));
        }
        for (String c : controls) {
            args.add("--replica");
            args.add(c);
        }
        args.add(volume);
        return ServiceProcess.launch("longhorn-engine", dir.resolve("engine-" + (logs++) + ".log"), "engine ready:", args);
    }

    /** Waits for a launched engine's ready line; the cluster stops it at the end. */
    Engine awaitEngine(ServiceProcess launched) {
        Engine e = new Engine(launched.awaitReady(), secret());
        engines.add(e);
        return e;
    }

    static String control(ServiceProcess replica) {
        return "tcp://" + replica.field("control");
    }

    /** Starts an engine for {@code volume} over the replicas, with an NBD export on a free port. */
    Engine engine(String volume, List<ServiceProcess> over, String... extra) throws IOException {
        ServiceProcess p = launchEngine(volume, over, extra).awaitReady();
        Engine e = new Engine(p, secret());
        engines.add(e);
        return e;
    }

    /** Starts an engine process without waiting for it to get ready (for starts that must fail). */
    ServiceProcess launchEngine(String volume, List<ServiceProcess> over, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("controller", "--listen", "127.0.0.1:0", "--nbd-listen", "127.0.0.1:0"));
        Collections.addAll(args, extra);
        if (secretFile != null) {
            args.addAll(List.of("--secret-file", secretFile.toString()));
        }
        for (ServiceProcess r : over) {
            args.add("--replica");
            args.add(control(r));
        }
        args.add(volume);
        return ServiceProcess.launch("longhorn-engine", dir.resolve("engine-" + (logs++) + ".log"), "engine ready:", args);
    }

    /** Runs the CLI against an engine. */
    static Tool.Result cli(Engine engine, String... args) {
        List<String> command = new ArrayList<>(List.of(FrozenBuild.root().resolve("bin/longhorn-engine").toString(),
                "--url", engine.control));
        Collections.addAll(command, args);
        return Tool.run(TOOL_TIMEOUT, java.util.Map.of("JAVA_HOME", System.getProperty("java.home")), command);
    }

    /** SHA-256 of the whole export, read with nbdcopy. */
    String sha256(String nbd) throws Exception {
        Path copy = dir.resolve("copy-" + (logs++) + ".img");
        try {
            Tool.run(TOOL_TIMEOUT, "nbdcopy", nbd, copy.toString()).ok();
            String out = Tool.run(TOOL_TIMEOUT, "sha256sum", copy.toString()).ok().output();
            return out.substring(0, 64);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    /**
     * The content of each replica alone: an engine over just that replica, all of them running at
     * once (several engines share the host), each export hashed. The caller stops the engine that
     * used them together first, cleanly.
     */
    List<String> hashEachAlone(String volume, List<ServiceProcess> over) throws Exception {
        List<ServiceProcess> launched = new ArrayList<>();
        List<Engine> alone = new ArrayList<>();
        try {
            for (ServiceProcess r : over) {
                launched.add(launchEngine(volume, List.of(r)));
            }
            for (ServiceProcess p : launched) {
                alone.add(new Engine(p.awaitReady(), secret()));
            }
            List<String> hashes = new ArrayList<>();
            for (Engine e : alone) {
                hashes.add(sha256(e.nbd));
            }
            return hashes;
        } finally {
            for (Engine e : alone) {
                e.close();
            }
            for (ServiceProcess p : launched) {
                p.close();
            }
        }
    }

    @Override
    public void close() {
        for (Engine e : engines) {
            e.close();
        }
        for (ServiceProcess r : replicas) {
            r.close();
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** A running engine: its process, addresses, and a gRPC client. */
    static final class Engine implements AutoCloseable {
        final ServiceProcess process;
        final String control;
        final String nbd;
        private final ManagedChannel channel;
        final EngineServiceGrpc.EngineServiceBlockingStub api;

        Engine(ServiceProcess process) {
            this(process, null);
        }

        /** With the volume's secret, which every call of {@link #api} then proves. */
        Engine(ServiceProcess process, io.longhorn.api.auth.VolumeSecret secret) {
            this.process = process;
            this.control = process.field("control");
            this.nbd = process.field("nbd");
            String[] hp = control.split(":");
            this.channel = Grpc.newChannelBuilderForAddress(hp[0], Integer.parseInt(hp[1]),
                    InsecureChannelCredentials.create()).intercept(io.longhorn.api.auth.GrpcAuth.client("test", secret))
                    .build();
            this.api = EngineServiceGrpc.newBlockingStub(channel);
        }

        EngineServiceGrpc.EngineServiceBlockingStub api() {
            return api.withDeadlineAfter(2, TimeUnit.MINUTES);
        }

        Volume info() {
            return api().volumeInfo(Empty.getDefaultInstance());
        }

        ReplicaMode mode(String replicaControl) {
            for (Replica r : info().getReplicasList()) {
                if (r.getAddress().equals(replicaControl)) {
                    return r.getMode();
                }
            }
            throw new AssertionError("no replica " + replicaControl + " in " + info());
        }

        void awaitHealthy() {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .until(() -> info().getState().equals("healthy"));
        }

        @Override
        public void close() {
            channel.shutdownNow();
            process.close();
        }
    }
}
