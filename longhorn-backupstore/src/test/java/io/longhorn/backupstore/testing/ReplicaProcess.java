package io.longhorn.backupstore.testing;

import io.longhorn.api.client.ReplicaDataClient;
import io.longhorn.api.replica.Empty;
import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.replica.ReplicaServiceGrpc;
import io.longhorn.api.replica.SnapshotCreateRequest;
import io.longhorn.api.types.Address;
import io.longhorn.api.wire.Hello;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real replica process ({@code bin/longhorn-replica}) on free loopback ports, with a data
 * client and a control client. Close it in a finally block.
 */
public final class ReplicaProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("replica ready: control=(\\S+) data=(\\S+)");

    private final Process process;
    private final String control;
    private final ManagedChannel channel;
    private final ReplicaDataClient data;

    private ReplicaProcess(Process process, String control, String dataAddress,
                           io.longhorn.api.auth.VolumeSecret secret) throws IOException {
        this.process = process;
        this.control = control;
        this.channel = ManagedChannelBuilder.forTarget(control).usePlaintext()
                .intercept(io.longhorn.api.auth.GrpcAuth.client("test", secret)).build();
        this.data = ReplicaDataClient.connect(Address.parse(dataAddress), Duration.ofSeconds(10),
                new Hello("", 0, "tool-" + ProcessHandle.current().pid()), secret);
    }

    public static ReplicaProcess start(Path dir, long size) throws IOException {
        return start(dir, size, null);
    }

    /** A replica that requires the secret in {@code secretFile} (null: none); this client proves it. */
    public static ReplicaProcess start(Path dir, long size, Path secretFile) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("--listen", "127.0.0.1:0", "--size", Long.toString(size)));
        if (secretFile != null) {
            args.addAll(List.of("--secret-file", secretFile.toString()));
        }
        args.add(dir.toString());
        io.longhorn.api.auth.VolumeSecret secret = secretFile == null ? null
                : io.longhorn.api.auth.VolumeSecret.load(secretFile);
        Process p = Launchers.builder(Map.of(), "longhorn-replica", args)
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        try {
            String line;
            while ((line = out.readLine()) != null) {
                seen.append(line).append('\n');
                Matcher m = READY.matcher(line);
                if (m.find()) {
                    drain(out);
                    return new ReplicaProcess(p, m.group(1), m.group(2), secret);
                }
            }
            throw new IllegalStateException("replica in " + dir + " exited before it was ready:\n" + seen);
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** Keeps reading the process's output so that it never blocks on a full pipe. */
    private static void drain(BufferedReader out) {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (out.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    /** The control address, host:port. */
    public String control() {
        return control;
    }

    public void write(long offset, byte[] bytes) throws Exception {
        data.write(offset, ByteBuffer.wrap(bytes), false).get(60, TimeUnit.SECONDS);
    }

    public void snapshot(String name) {
        ReplicaServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .snapshotCreate(SnapshotCreateRequest.newBuilder().setName(name).setUserCreated(true).build());
    }

    /** The replica's info from its control API. */
    public ReplicaInfo info() {
        return ReplicaServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .info(Empty.getDefaultInstance());
    }

    /** SHA-256 of the first {@code size} bytes, read through the data protocol. */
    public String sha256(long size) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer buf = ByteBuffer.allocate(4 * 1024 * 1024);
        for (long off = 0; off < size; off += buf.capacity()) {
            buf.clear().limit((int) Math.min(buf.capacity(), size - off));
            data.read(off, buf).get(60, TimeUnit.SECONDS);
            md.update(buf);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Override
    public void close() throws Exception {
        data.close();
        channel.shutdownNow();
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
