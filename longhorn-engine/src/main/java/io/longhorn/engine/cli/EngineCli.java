package io.longhorn.engine.cli;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longhorn.api.auth.GrpcAuth;
import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.api.engine.Empty;
import io.longhorn.api.engine.EngineServiceGrpc;
import io.longhorn.api.engine.ExpandRequest;
import io.longhorn.api.engine.Rebuild;
import io.longhorn.api.engine.RebuildState;
import io.longhorn.api.engine.ReplicaAddRequest;
import io.longhorn.api.engine.ReplicaRequest;
import io.longhorn.api.engine.SnapshotCreateRequest;
import io.longhorn.api.engine.SnapshotCreateResponse;
import io.longhorn.api.engine.SnapshotRequest;
import io.longhorn.api.types.Address;
import io.longhorn.api.types.Sizes;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The client commands of {@code longhorn-engine}: plain gRPC calls to a running engine. Exit code
 * 0 on success, 1 when the engine refused or failed the operation (the message says why), 2 on a
 * bad command line.
 */
public final class EngineCli {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    public static final String USAGE = """
            Usage: longhorn-engine [--url HOST:PORT] [--secret-file PATH] COMMAND
                   longhorn-engine controller ... (run longhorn-engine controller --help)

            --secret-file (default $LONGHORN_ENGINE_SECRET_FILE): the volume's secret, for an engine started
            with one; calls prove it (the secret never crosses the wire) or the engine refuses them.

            Commands (to the engine at --url, default $LONGHORN_ENGINE_URL or 127.0.0.1:9501):
              info                              size, frontend endpoint, state, replicas with their modes, and
                                                client I/O since the engine started (requests, bytes, errors,
                                                mean latency per operation)
              replica ls                        the replicas with their modes (RW, WO, ERR)
              replica add ADDR [--no-wait]      add a replica (its control address) and rebuild it; waits
                                                until it is RW unless --no-wait
              replica rm ADDR                   remove a replica from the volume
              snapshot create [NAME] [--label K=V ...]
                                                take a snapshot on every replica (NAME defaults to a UUID)
              snapshot ls                       the volume's snapshots, parents first
              snapshot rm NAME                  remove a snapshot (its data merges into its child)
              snapshot revert NAME              revert the volume to a snapshot (frontend stopped first)
              snapshot purge                    remove the data of removed and system snapshots
              expand SIZE                       grow the volume, e.g. 2Gi; clients see it on reconnect
              rebuild-status                    progress of replica rebuilds
              frontend stop|start               stop serving clients (for revert) or serve again""";

    private final PrintStream out;
    private final PrintStream err;

    private EngineCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new EngineCli(out, err).run(Arrays.asList(args));
    }

    private int run(List<String> all) {
        String url = System.getenv().getOrDefault("LONGHORN_ENGINE_URL", "127.0.0.1:9501");
        String secretFile = System.getenv("LONGHORN_ENGINE_SECRET_FILE");
        List<String> args = new ArrayList<>(all);
        while (!args.isEmpty() && (args.getFirst().startsWith("--url") || args.getFirst().startsWith("--secret-file"))) {
            String a = args.removeFirst();
            String flag = a.startsWith("--url") ? "--url" : "--secret-file";
            String value;
            if (a.startsWith(flag + "=")) {
                value = a.substring(flag.length() + 1);
            } else if (!a.equals(flag)) {
                return usage("unknown option " + a);
            } else if (args.isEmpty()) {
                return usage(flag + " needs a value");
            } else {
                value = args.removeFirst();
            }
            if (flag.equals("--url")) {
                url = value;
            } else {
                secretFile = value;
            }
        }
        VolumeSecret secret = null;
        if (secretFile != null && !secretFile.isEmpty()) {
            try {
                secret = VolumeSecret.load(Path.of(secretFile));
            } catch (IOException e) {
                return usage("--secret-file: " + e.getMessage());
            }
        }
        if (args.isEmpty() || args.getFirst().equals("help") || args.getFirst().equals("--help") || args.getFirst().equals("-h")) {
            out.println(USAGE);
            return args.isEmpty() ? EXIT_USAGE : EXIT_OK;
        }
        Address address;
        try {
            address = Address.parse(url);
            if (address.isUnix()) {
                return usage("--url must be HOST:PORT");
            }
        } catch (IllegalArgumentException e) {
            return usage("--url: " + e.getMessage());
        }
        Command command;
        try {
            command = Command.parse(args);
        } catch (UsageException e) {
            return usage(e.getMessage());
        }
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(address.host(), address.port(),
                InsecureChannelCredentials.create()).intercept(GrpcAuth.client("cli", secret)).build();
        try {
            return execute(command, EngineServiceGrpc.newBlockingStub(channel), address);
        } catch (StatusRuntimeException e) {
            err.println("longhorn-engine: " + describe(e, address));
            return EXIT_FAILED;
        } finally {
            channel.shutdownNow();
        }
    }

    private int usage(String message) {
        err.println("longhorn-engine: " + message);
        err.println("Run longhorn-engine --help for usage.");
        return EXIT_USAGE;
    }

    private static String describe(StatusRuntimeException e, Address address) {
        Status s = e.getStatus();
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return "cannot reach the engine at " + address.hostPort() + ": " + c.getMessage();
            }
        }
        if (s.getCode() == Status.Code.UNAVAILABLE && (s.getDescription() == null || s.getDescription().startsWith("io exception"))) {
            return "cannot reach the engine at " + address.hostPort() + (s.getDescription() == null ? "" : ": " + s.getDescription());
        }
        if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return "the engine at " + address.hostPort() + " did not answer in time";
        }
        return s.getDescription() == null ? s.getCode().toString() : s.getDescription();
    }

    /** A parsed command: its words and options. */
    record Command(List<String> words, Map<String, String> labels, boolean noWait) {

        static Command parse(List<String> args) throws UsageException {
            List<String> words = new ArrayList<>();
            Map<String, String> labels = new LinkedHashMap<>();
            boolean noWait = false;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("--no-wait")) {
                    noWait = true;
                } else if (a.equals("--label") || a.startsWith("--label=")) {
                    String kv = a.startsWith("--label=") ? a.substring("--label=".length())
                            : (i + 1 < args.size() ? args.get(++i) : null);
                    if (kv == null || kv.indexOf('=') <= 0) {
                        throw new UsageException("--label needs KEY=VALUE");
                    }
                    labels.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                } else if (a.startsWith("-")) {
                    throw new UsageException("unknown option " + a);
                } else {
                    words.add(a);
                }
            }
            Command c = new Command(List.copyOf(words), labels, noWait);
            c.validate();
            return c;
        }

        String key() {
            return words.size() >= 2 && List.of("replica", "snapshot", "frontend").contains(words.getFirst())
                    ? words.get(0) + " " + words.get(1) : words.getFirst();
        }

        private void validate() throws UsageException {
            String key = key();
            int want = switch (key) {
                case "info", "rebuild-status" -> 1;
                case "replica ls", "snapshot ls", "snapshot purge", "frontend stop", "frontend start" -> 2;
                case "replica add", "replica rm", "snapshot rm", "snapshot revert" -> 3;
                case "expand" -> 2;
                case "snapshot create" -> words.size() <= 3 ? words.size() : 3;
                default -> throw new UsageException("unknown command \"" + String.join(" ", words) + "\"");
            };
            if (words.size() != want) {
                throw new UsageException(words.size() < want ? "\"" + key + "\" needs an argument"
                        : "too many arguments for \"" + key + "\"");
            }
            if (!labels.isEmpty() && !key.equals("snapshot create")) {
                throw new UsageException("--label applies only to snapshot create");
            }
            if (noWait && !key.equals("replica add")) {
                throw new UsageException("--no-wait applies only to replica add");
            }
        }

        String arg() {
            return words.getLast();
        }
    }

    private int execute(Command c, EngineServiceGrpc.EngineServiceBlockingStub stub, Address engine) {
        EngineServiceGrpc.EngineServiceBlockingStub s = stub.withDeadlineAfter(2, TimeUnit.MINUTES);
        Empty empty = Empty.getDefaultInstance();
        switch (c.key()) {
            case "info" -> out.print(Printer.volume(s.volumeInfo(empty)));
            case "replica ls" -> out.print(Printer.replicas(s.replicaList(empty).getReplicasList()));
            case "replica add" -> {
                s.replicaAdd(ReplicaAddRequest.newBuilder().setAddress(c.arg()).build());
                if (c.noWait()) {
                    out.println("replica " + c.arg() + " added in WO mode; rebuilding (see rebuild-status)");
                    return EXIT_OK;
                }
                return waitForRebuild(stub, canonical(c.arg()));
            }
            case "replica rm" -> out.print(Printer.replicas(
                    s.replicaRemove(ReplicaRequest.newBuilder().setAddress(c.arg()).build()).getReplicasList()));
            case "snapshot create" -> {
                SnapshotCreateRequest.Builder req = SnapshotCreateRequest.newBuilder().putAllLabels(c.labels());
                if (c.words().size() == 3) {
                    req.setName(c.arg());
                }
                SnapshotCreateResponse r = s.snapshotCreate(req.build());
                out.println(r.getName());
                err.println(String.format(Locale.ROOT, "snapshot %s created at %s; I/O paused for %.3f ms", r.getName(),
                        r.getCreated(), r.getPauseMicros() / 1000.0));
            }
            case "snapshot ls" -> out.print(Printer.snapshots(s.snapshotList(empty)));
            case "snapshot rm" -> out.print(Printer.snapshots(
                    s.snapshotRemove(SnapshotRequest.newBuilder().setName(c.arg()).build())));
            case "snapshot revert" -> out.print(Printer.snapshots(
                    s.snapshotRevert(SnapshotRequest.newBuilder().setName(c.arg()).build())));
            case "snapshot purge" -> out.print(Printer.snapshots(
                    stub.withDeadlineAfter(30, TimeUnit.MINUTES).snapshotPurge(empty)));
            case "expand" -> {
                long size;
                try {
                    size = Sizes.parse(c.arg());
                } catch (IllegalArgumentException e) {
                    return usage("expand: " + e.getMessage());
                }
                out.print(Printer.volume(s.expand(ExpandRequest.newBuilder().setSize(size).build())));
            }
            case "rebuild-status" -> out.print(Printer.rebuilds(s.rebuildStatus(empty)));
            case "frontend stop" -> out.print(Printer.volume(s.frontendStop(empty)));
            case "frontend start" -> out.print(Printer.volume(s.frontendStart(empty)));
            default -> throw new IllegalStateException("unhandled command " + c.key());
        }
        return EXIT_OK;
    }

    private static String canonical(String address) {
        try {
            return Address.parse(address).toString();
        } catch (IllegalArgumentException e) {
            return address;
        }
    }

    /** Polls rebuild-status until the replica's rebuild ends, printing progress as it moves. */
    private int waitForRebuild(EngineServiceGrpc.EngineServiceBlockingStub stub, String replica) {
        int lastPercent = -1;
        while (true) {
            Rebuild mine = null;
            for (Rebuild r : stub.withDeadlineAfter(30, TimeUnit.SECONDS).rebuildStatus(Empty.getDefaultInstance())
                    .getRebuildsList()) {
                if (r.getAddress().equals(replica)) {
                    mine = r;
                }
            }
            if (mine == null) {
                err.println("longhorn-engine: the engine reports no rebuild of replica " + replica);
                return EXIT_FAILED;
            }
            if (mine.getState() == RebuildState.COMPLETE) {
                out.println(Printer.progress(mine));
                out.println("replica " + replica + " is RW");
                return EXIT_OK;
            }
            if (mine.getState() == RebuildState.FAILED) {
                err.println("longhorn-engine: " + Printer.progress(mine));
                return EXIT_FAILED;
            }
            if (mine.getPercent() != lastPercent) {
                lastPercent = mine.getPercent();
                out.println(Printer.progress(mine));
            }
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        }
    }
}
