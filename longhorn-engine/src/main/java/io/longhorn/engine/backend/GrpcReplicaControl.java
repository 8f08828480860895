package io.longhorn.engine.backend;

import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.longhorn.api.auth.GrpcAuth;
import io.longhorn.api.auth.VolumeSecret;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.longhorn.api.replica.ChecksumRequest;
import io.longhorn.api.replica.DataChunk;
import io.longhorn.api.replica.Empty;
import io.longhorn.api.replica.ExpandRequest;
import io.longhorn.api.replica.Extent;
import io.longhorn.api.replica.ExtentList;
import io.longhorn.api.replica.FileRequest;
import io.longhorn.api.replica.RangeChecksum;
import io.longhorn.api.replica.ReadExtentsRequest;
import io.longhorn.api.replica.RebuildPrepareRequest;
import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.replica.ReplicaServiceGrpc;
import io.longhorn.api.replica.SetGenerationRequest;
import io.longhorn.api.replica.SnapshotCreateRequest;
import io.longhorn.api.replica.SnapshotInfo;
import io.longhorn.api.replica.SnapshotRequest;
import io.longhorn.api.replica.WriteExtentsResponse;
import io.longhorn.api.types.Address;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** {@link ReplicaControl} over gRPC (replica.proto), one channel per replica. */
public final class GrpcReplicaControl implements ReplicaControl {

    /** Rebuild chunks can be large; the default gRPC limit of 4 MiB is too small. */
    private static final int MAX_MESSAGE = 64 << 20;

    private final String address;
    private final ManagedChannel channel;
    private final ReplicaServiceGrpc.ReplicaServiceBlockingStub blocking;
    private final ReplicaServiceGrpc.ReplicaServiceStub async;
    private final ControlTimeouts timeouts;
    private final String engine;

    /**
     * @param engine this engine's instance id, sent with every generation it records
     */
    public GrpcReplicaControl(Address address, ControlTimeouts timeouts, String engine) {
        this(address, timeouts, engine, null);
    }

    /**
     * @param engine this engine's instance id, sent with every generation it records
     * @param secret the volume's secret every call proves (see {@link GrpcAuth}); null: unsigned calls
     */
    public GrpcReplicaControl(Address address, ControlTimeouts timeouts, String engine, VolumeSecret secret) {
        if (address.isUnix()) {
            throw new IllegalArgumentException("replica control address " + address + " must be tcp://host:port");
        }
        this.address = address.toString();
        this.timeouts = timeouts;
        this.engine = engine;
        this.channel = Grpc.newChannelBuilderForAddress(address.host(), address.port(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(MAX_MESSAGE)
                .intercept(GrpcAuth.client("engine-" + engine, secret))
                .build();
        this.blocking = ReplicaServiceGrpc.newBlockingStub(channel).withMaxOutboundMessageSize(MAX_MESSAGE);
        this.async = ReplicaServiceGrpc.newStub(channel).withMaxOutboundMessageSize(MAX_MESSAGE);
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public ReplicaInfo info() {
        return call("get info", timeouts.quick(), () -> quick().info(Empty.getDefaultInstance()));
    }

    @Override
    public ReplicaInfo snapshotCreate(String name, Map<String, String> labels, boolean userCreated, String created) {
        SnapshotCreateRequest req = SnapshotCreateRequest.newBuilder().setName(name).putAllLabels(labels)
                .setUserCreated(userCreated).setCreated(created).build();
        return call("create snapshot " + name, timeouts.normal(), () -> normal().snapshotCreate(req));
    }

    @Override
    public ReplicaInfo snapshotRemove(String name) {
        return call("remove snapshot " + name, timeouts.normal(),
                () -> normal().snapshotRemove(SnapshotRequest.newBuilder().setName(name).build()));
    }

    @Override
    public ReplicaInfo snapshotRevert(String name) {
        return call("revert to snapshot " + name, timeouts.normal(),
                () -> normal().snapshotRevert(SnapshotRequest.newBuilder().setName(name).build()));
    }

    @Override
    public ReplicaInfo snapshotPurge() {
        return call("purge snapshots", timeouts.slow(), () -> slow().snapshotPurge(Empty.getDefaultInstance()));
    }

    @Override
    public ReplicaInfo expand(long size) {
        return call("expand to " + size + " bytes", timeouts.normal(),
                () -> normal().expand(ExpandRequest.newBuilder().setSize(size).build()));
    }

    @Override
    public ReplicaInfo setGeneration(long generation) {
        return call("set generation " + generation, timeouts.quick(),
                () -> quick().setGeneration(SetGenerationRequest.newBuilder().setGeneration(generation)
                        .setEngine(engine).build()));
    }

    @Override
    public ExtentList listExtents(String file) {
        return call("list extents of " + file, timeouts.slow(),
                () -> slow().listExtents(FileRequest.newBuilder().setFile(file).build()));
    }

    @Override
    public List<RangeChecksum> checksumRanges(String file, List<Extent> extents, int chunkSize) {
        ChecksumRequest req = ChecksumRequest.newBuilder().setFile(file).addAllExtents(extents).setChunkSize(chunkSize).build();
        return call("checksum " + extents.size() + " extents of " + file, timeouts.slow(),
                () -> slow().checksumRanges(req).getChecksumsList());
    }

    @Override
    public void readExtents(String file, List<Extent> extents, Consumer<DataChunk> sink) {
        ReadExtentsRequest req = ReadExtentsRequest.newBuilder().setFile(file).addAllExtents(extents).build();
        // A cancellable context, so that a sink that throws does not leave the stream open.
        Context.CancellableContext ctx = Context.current().withCancellation();
        try {
            ctx.run(() -> call("read extents of " + file, timeouts.slow(), () -> {
                Iterator<DataChunk> it = slow().readExtents(req);
                while (it.hasNext()) {
                    sink.accept(it.next());
                }
                return null;
            }));
        } finally {
            ctx.cancel(null);
        }
    }

    @Override
    public ExtentWriter writeExtents() {
        return new StreamWriter();
    }

    @Override
    public void retainExtents(String file, List<Extent> extents) {
        ReadExtentsRequest req = ReadExtentsRequest.newBuilder().setFile(file).addAllExtents(extents).build();
        call("retain extents of " + file, timeouts.slow(), () -> slow().retainExtents(req));
    }

    @Override
    public ReplicaInfo rebuildPrepare(List<SnapshotInfo> snapshots) {
        RebuildPrepareRequest req = RebuildPrepareRequest.newBuilder().addAllSnapshots(snapshots).build();
        return call("prepare rebuild", timeouts.normal(), () -> normal().rebuildPrepare(req));
    }

    @Override
    public ReplicaInfo rebuildFinish() {
        return call("finish rebuild", timeouts.normal(), () -> normal().rebuildFinish(Empty.getDefaultInstance()));
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }

    @Override
    public String toString() {
        return "control of replica " + address;
    }

    private ReplicaServiceGrpc.ReplicaServiceBlockingStub quick() {
        return blocking.withDeadlineAfter(timeouts.quick().toMillis(), TimeUnit.MILLISECONDS);
    }

    private ReplicaServiceGrpc.ReplicaServiceBlockingStub normal() {
        return blocking.withDeadlineAfter(timeouts.normal().toMillis(), TimeUnit.MILLISECONDS);
    }

    private ReplicaServiceGrpc.ReplicaServiceBlockingStub slow() {
        return blocking.withDeadlineAfter(timeouts.slow().toMillis(), TimeUnit.MILLISECONDS);
    }

    private <T> T call(String what, Duration deadline, Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            throw translate(what, deadline, e);
        }
    }

    private ReplicaControlException translate(String what, Duration deadline, StatusRuntimeException e) {
        Status s = e.getStatus();
        ReplicaControlException.Reason reason = switch (s.getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED -> ReplicaControlException.Reason.UNAVAILABLE;
            case INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, OUT_OF_RANGE ->
                    ReplicaControlException.Reason.REFUSED;
            default -> ReplicaControlException.Reason.FAILED;
        };
        String detail = switch (s.getCode()) {
            case DEADLINE_EXCEEDED -> "no answer within " + deadline.toMillis() + " ms";
            case UNAVAILABLE -> "unreachable" + (s.getDescription() == null ? "" : ": " + s.getDescription());
            default -> s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
        };
        return new ReplicaControlException(address, reason, "failed to " + what + " on replica " + address + ": " + detail, e);
    }

    /** WriteExtents as a client stream with flow control: write() waits while gRPC's buffer is full. */
    private final class StreamWriter implements ExtentWriter, ClientResponseObserver<DataChunk, WriteExtentsResponse> {
        private final Object monitor = new Object();
        private ClientCallStreamObserver<DataChunk> requests;
        private long written = -1;
        private Throwable error;
        private boolean done;

        StreamWriter() {
            async.writeExtents(this);
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<DataChunk> stream) {
            this.requests = stream;
            stream.setOnReadyHandler(() -> {
                synchronized (monitor) {
                    monitor.notifyAll();
                }
            });
        }

        @Override
        public void write(DataChunk chunk) {
            synchronized (monitor) {
                long deadline = System.nanoTime() + timeouts.slow().toNanos();
                while (!requests.isReady() && error == null && !done) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        cancel("replica did not take data for " + timeouts.slow().toSeconds() + " s");
                        throw new ReplicaControlException(address, ReplicaControlException.Reason.UNAVAILABLE,
                                "failed to write extents to replica " + address + ": it stopped taking data", null);
                    }
                    try {
                        monitor.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 1000)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        cancel("interrupted");
                        throw new ReplicaControlException(address, ReplicaControlException.Reason.FAILED,
                                "writing extents to replica " + address + " was interrupted", e);
                    }
                }
                throwIfFailed();
            }
            requests.onNext(chunk);
        }

        @Override
        public long finish() {
            requests.onCompleted();
            synchronized (monitor) {
                long deadline = System.nanoTime() + timeouts.slow().toNanos();
                while (!done && error == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new ReplicaControlException(address, ReplicaControlException.Reason.UNAVAILABLE,
                                "failed to write extents to replica " + address + ": no answer at the end of the stream", null);
                    }
                    try {
                        monitor.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new ReplicaControlException(address, ReplicaControlException.Reason.FAILED,
                                "writing extents to replica " + address + " was interrupted", e);
                    }
                }
                throwIfFailed();
                return written;
            }
        }

        @Override
        public void cancel(String reason) {
            requests.cancel(reason, null);
        }

        private void throwIfFailed() {
            if (error != null) {
                if (error instanceof StatusRuntimeException sre) {
                    throw translate("write extents", timeouts.slow(), sre);
                }
                throw new ReplicaControlException(address, ReplicaControlException.Reason.FAILED,
                        "failed to write extents to replica " + address + ": " + error, error);
            }
        }

        @Override
        public void onNext(WriteExtentsResponse value) {
            synchronized (monitor) {
                written = value.getBytesWritten();
            }
        }

        @Override
        public void onError(Throwable t) {
            synchronized (monitor) {
                error = t instanceof StatusRuntimeException ? t : Status.fromThrowable(t).asRuntimeException();
                monitor.notifyAll();
            }
        }

        @Override
        public void onCompleted() {
            synchronized (monitor) {
                done = true;
                monitor.notifyAll();
            }
        }
    }
}
