package io.longhorn.backupstore.source.replica;

import io.grpc.ManagedChannel;
import io.longhorn.api.client.ReplicaDataClient;
import io.longhorn.api.client.ReplicaDataException;
import io.longhorn.api.wire.Hello;
import io.longhorn.api.wire.WireStatus;
import io.longhorn.backupstore.error.AccessDeniedException;
import io.longhorn.backupstore.source.SnapshotReader;
import java.util.Optional;
import io.grpc.ManagedChannelBuilder;
import io.longhorn.api.auth.GrpcAuth;
import io.longhorn.api.auth.VolumeSecret;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longhorn.api.replica.DataChunk;
import io.longhorn.api.replica.Empty;
import io.longhorn.api.replica.FileRequest;
import io.longhorn.api.replica.ReadExtentsRequest;
import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.replica.ReplicaServiceGrpc;
import io.longhorn.api.replica.SetErrorRequest;
import io.longhorn.api.replica.SnapshotInfo;
import io.longhorn.api.types.Address;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.NotFoundException;
import io.longhorn.backupstore.error.TargetIOException;
import io.longhorn.backupstore.source.Extent;
import io.longhorn.backupstore.source.SnapshotSource;
import io.longhorn.backupstore.source.SourceInfo;
import io.longhorn.backupstore.source.SourceSnapshot;
import io.longhorn.backupstore.source.VolumeNameHint;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Reads snapshot layers from a running replica: {@code Info} for the chain, {@code ListExtents}
 * for a layer's data map, and the snapshot's bytes over the replica's data protocol
 * ({@link #snapshotReader}: READ_SNAPSHOT on a read-only connection that proves the volume's
 * secret like any other data client), or per layer with the {@code ReadExtents} stream. Snapshot
 * layers never change, so a backup reads them while the volume keeps serving I/O.
 *
 * <p>{@code -Dlonghorn.backup.snapshot-read=grpc} reads through {@code ReadExtents} instead of the
 * data protocol (for comparisons; also the fallback when the data server cannot be reached).
 */
public final class ReplicaSnapshotSource implements SnapshotSource {
    private static final int MAX_MESSAGE = 64 * 1024 * 1024;
    private static final long CALL_SECONDS = 300;
    private static final java.time.Duration CONNECT_TIMEOUT = java.time.Duration.ofSeconds(10);
    private static final boolean DATA_READS = !"grpc".equals(System.getProperty("longhorn.backup.snapshot-read"));
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ReplicaSnapshotSource.class);

    private final Address address;
    private final ManagedChannel channel;
    private final ReplicaServiceGrpc.ReplicaServiceBlockingStub stub;
    private final VolumeSecret secret;
    /** The read-only data connection, opened on first need; guarded by this. */
    private ReplicaDataClient data;
    private boolean dataUnreachable;

    /**
     * @param address the replica's gRPC control address, {@code host:port}
     */
    public ReplicaSnapshotSource(Address address) {
        this(address, null);
    }

    /**
     * @param address the replica's gRPC control address, {@code host:port}
     * @param secret  the volume's secret every call proves (null: a replica without one)
     */
    public ReplicaSnapshotSource(Address address, VolumeSecret secret) {
        if (address.isUnix()) {
            throw new InvalidInputException("replica control address " + address + " must be host:port");
        }
        this.address = address;
        this.secret = secret;
        this.channel = ManagedChannelBuilder.forTarget(address.hostPort()).usePlaintext()
                .maxInboundMessageSize(MAX_MESSAGE).intercept(GrpcAuth.client("backup", secret)).build();
        this.stub = ReplicaServiceGrpc.newBlockingStub(channel);
    }

    private String description() {
        return "replica " + address.hostPort();
    }

    private ReplicaServiceGrpc.ReplicaServiceBlockingStub call() {
        return stub.withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS);
    }

    /** The replica's own info, for callers that need more than the chain. */
    public ReplicaInfo replicaInfo() {
        return grpc("get info from", () -> call().info(Empty.getDefaultInstance()));
    }

    /** Records (or, with "", clears) the replica's error, its durable "do not trust me" mark. */
    public ReplicaInfo setError(String error) {
        return grpc(error.isEmpty() ? "clear the error of" : "set the error of",
                () -> call().setError(SetErrorRequest.newBuilder().setError(error).build()));
    }

    @Override
    public SourceInfo info() {
        ReplicaInfo info = replicaInfo();
        List<SourceSnapshot> snapshots = new ArrayList<>();
        for (SnapshotInfo s : info.getSnapshotsList()) {
            snapshots.add(new SourceSnapshot(s.getName(), s.getFile(), s.getParent(), s.getCreated(), s.getHead(),
                    s.getRemoved()));
        }
        return new SourceInfo(description(), info.getSize(), snapshots, VolumeNameHint.fromDirectory(info.getDirectory()));
    }

    @Override
    public List<Extent> extents(String file) {
        var list = grpc("list extents of " + file + " on", () -> call().listExtents(
                FileRequest.newBuilder().setFile(file).build()));
        List<Extent> out = new ArrayList<>(list.getExtentsCount());
        for (var e : list.getExtentsList()) {
            if (e.getLength() > 0) {
                out.add(new Extent(e.getOffset(), e.getLength()));
            }
        }
        return out;
    }

    @Override
    public void read(String file, List<Extent> extents, long base, byte[] buf) {
        ReadExtentsRequest.Builder req = ReadExtentsRequest.newBuilder().setFile(file);
        for (Extent e : extents) {
            req.addExtents(io.longhorn.api.replica.Extent.newBuilder().setOffset(e.offset()).setLength(e.length()));
        }
        grpc("read " + file + " from", () -> {
            Iterator<DataChunk> chunks = call().readExtents(req.build());
            while (chunks.hasNext()) {
                DataChunk c = chunks.next();
                long at = c.getOffset() - base;
                int n = c.getData().size();
                if (at < 0 || at + n > buf.length) {
                    throw new TargetIOException(description() + " sent " + n + " bytes at " + c.getOffset() + " of "
                            + file + ", outside the requested range");
                }
                c.getData().copyTo(buf, (int) at);
            }
            return null;
        });
    }

    @Override
    public Optional<SnapshotReader> snapshotReader(String snapshot) {
        if (!DATA_READS) {
            return Optional.empty();
        }
        ReplicaDataClient client = dataClient();
        return client == null ? Optional.empty()
                : Optional.of(new DataProtocolReader(client, snapshot, description(), CALL_SECONDS));
    }

    /**
     * The read-only data connection, or null when the replica's data server cannot be reached (the
     * caller then reads through gRPC). A replica that refuses the secret is an error, not a
     * reason to read another way.
     */
    private synchronized ReplicaDataClient dataClient() {
        if (data != null && data.isOpen()) {
            return data;
        }
        if (dataUnreachable) {
            return null;
        }
        ReplicaInfo info = replicaInfo();
        String dataAddress = info.getDataAddress();
        if (dataAddress.isEmpty() || !info.getSnapshotReads()) {
            dataUnreachable = true;
            LOG.warnf("%s %s: reading snapshots through ReadExtents", description(), dataAddress.isEmpty()
                    ? "reports no data address" : "does not serve snapshot reads on its data server (an older build)");
            return null;
        }
        try {
            data = ReplicaDataClient.connect(Address.parse(dataAddress), CONNECT_TIMEOUT,
                    Hello.reader("", "backup-" + ProcessHandle.current().pid()), secret);
            return data;
        } catch (ReplicaDataException e) {
            if (e.status() == WireStatus.EACCES) {
                throw new AccessDeniedException("cannot read snapshots of " + description() + ": " + e.getMessage(), e);
            }
            if (e.status() != WireStatus.EIO) {
                throw new TargetIOException("cannot read snapshots of " + description() + ": " + e.getMessage(), e);
            }
            dataUnreachable = true;
            LOG.warnf("cannot reach the data server %s of %s (%s): reading snapshots through ReadExtents", dataAddress,
                    description(), e.getMessage());
            return null;
        } catch (java.io.IOException e) {
            throw new TargetIOException("cannot connect to the data server " + dataAddress + " of " + description()
                    + ": " + e.getMessage(), e);
        }
    }

    private <T> T grpc(String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            String msg = "cannot " + what + " " + description() + ": " + code
                    + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription());
            throw switch (code) {
                case NOT_FOUND -> new NotFoundException(msg);
                case INVALID_ARGUMENT -> new InvalidInputException(msg);
                default -> new TargetIOException(msg, e);
            };
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (data != null) {
                data.close();
            }
        }
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
