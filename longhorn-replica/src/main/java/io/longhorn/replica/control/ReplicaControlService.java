package io.longhorn.replica.control;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.longhorn.api.replica.ChecksumRequest;
import io.longhorn.api.replica.ChecksumResponse;
import io.longhorn.api.replica.DataChunk;
import io.longhorn.api.replica.Empty;
import io.longhorn.api.replica.ExpandRequest;
import io.longhorn.api.replica.ExtentList;
import io.longhorn.api.replica.FileRequest;
import io.longhorn.api.replica.ReadExtentsRequest;
import io.longhorn.api.replica.RebuildPrepareRequest;
import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.replica.ReplicaServiceGrpc;
import io.longhorn.api.replica.SetErrorRequest;
import io.longhorn.api.replica.SetGenerationRequest;
import io.longhorn.api.replica.SnapshotChecksumsRequest;
import io.longhorn.api.replica.SnapshotChecksumsResponse;
import io.longhorn.api.replica.SnapshotCreateRequest;
import io.longhorn.api.replica.SnapshotRequest;
import io.longhorn.api.replica.WriteExtentsResponse;
import io.longhorn.api.types.Names;
import io.longhorn.replica.store.Extent;
import io.longhorn.replica.store.Replica;
import io.longhorn.replica.store.SnapshotChecksums;
import io.longhorn.replica.store.SnapshotInfo;
import io.quarkus.grpc.GrpcService;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

/**
 * The replica's control API. Every call runs its store work on this service's own small pool:
 * snapshot operations wait for in-flight I/O and fsync metadata, and rebuild calls move megabytes,
 * none of which may run on the gRPC event loop.
 */
@GrpcService
public class ReplicaControlService extends ReplicaServiceGrpc.ReplicaServiceImplBase {
    private static final Logger LOG = Logger.getLogger(ReplicaControlService.class);
    /** Data per ReadExtents message: well under gRPC's default 4 MiB message limit. */
    static final int STREAM_CHUNK = 1 << 20;

    private final ServedReplica served;
    private final ExecutorService work;
    private SnapshotChecksums checksums;
    private Replica checksumsOf;

    @Inject
    public ReplicaControlService(ServedReplica served) {
        this.served = served;
        AtomicInteger n = new AtomicInteger();
        this.work = Executors.newFixedThreadPool(4,
                r -> Thread.ofPlatform().daemon().name("lh-control-" + n.incrementAndGet()).unstarted(r));
    }

    @PreDestroy
    void shutdown() {
        work.shutdown();
        synchronized (this) {
            if (checksums != null) {
                checksums.close();
            }
        }
    }

    // ---------------------------------------------------------------- info and chain

    @Override
    public void info(Empty request, StreamObserver<ReplicaInfo> out) {
        unary(out, "info", this::info);
    }

    @Override
    public void snapshotCreate(SnapshotCreateRequest req, StreamObserver<ReplicaInfo> out) {
        unary(out, "create snapshot " + req.getName(), () -> {
            Names.requireSnapshotName(req.getName());
            var created = ProtoMapping.time(req.getCreated(), "created time");
            replica().snapshot(req.getName(), req.getLabelsMap(), req.getUserCreated(), created);
            return info();
        });
    }

    @Override
    public void snapshotRemove(SnapshotRequest req, StreamObserver<ReplicaInfo> out) {
        unary(out, "remove snapshot " + req.getName(), () -> {
            replica().removeSnapshot(req.getName());
            return info();
        });
    }

    @Override
    public void snapshotRevert(SnapshotRequest req, StreamObserver<ReplicaInfo> out) {
        unary(out, "revert to snapshot " + req.getName(), () -> {
            Names.requireSnapshotName(req.getName());
            replica().revert(req.getName());
            return info();
        });
    }

    @Override
    public void snapshotPurge(Empty req, StreamObserver<ReplicaInfo> out) {
        unary(out, "purge snapshots", () -> {
            replica().purge();
            return info();
        });
    }

    @Override
    public void expand(ExpandRequest req, StreamObserver<ReplicaInfo> out) {
        unary(out, "expand to " + req.getSize(), () -> {
            replica().expand(req.getSize());
            return info();
        });
    }

    @Override
    public void setGeneration(SetGenerationRequest req, StreamObserver<ReplicaInfo> out) {
        unary(out, "set generation " + req.getGeneration() + " for engine " + req.getEngine(), () -> {
            if (req.getEngine().isEmpty()) {
                throw new IllegalArgumentException("engine: the recording engine's instance id is required");
            }
            served.recordGeneration(req.getGeneration(), req.getEngine());
            return info();
        });
    }

    @Override
    public void setError(SetErrorRequest req, StreamObserver<ReplicaInfo> out) {
        unary(out, req.getError().isEmpty() ? "clear error" : "set error", () -> {
            replica().setError(req.getError());
            return info();
        });
    }

    @Override
    public void delete(Empty req, StreamObserver<Empty> out) {
        String what = "delete " + describe();
        try {
            work.execute(() -> {
                boolean ok = false;
                try {
                    served.delete();
                    ok = true;
                    LOG.infof("%s: done", what);
                    out.onNext(Empty.getDefaultInstance());
                    out.onCompleted();
                } catch (ServedReplica.NotServingException e) {
                    fail(out, what, e);
                    return; // nothing was deleted here: this process keeps running as it was
                } catch (Throwable t) {
                    fail(out, what, t);
                }
                // Whether or not every file went, the replica is closed and cannot serve again.
                served.deleteAnswered(ok);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            fail(out, what, new ServedReplica.NotServingException("the replica is shutting down"));
        }
    }

    // ---------------------------------------------------------------- rebuild

    @Override
    public void listExtents(FileRequest req, StreamObserver<ExtentList> out) {
        unary(out, "list extents of " + req.getFile(), () -> {
            Replica r = replica();
            ExtentList.Builder b = ExtentList.newBuilder().setFileSize(r.fileSize(req.getFile()));
            for (Extent e : r.extents(req.getFile())) {
                b.addExtents(ProtoMapping.toProto(e));
            }
            return b.build();
        });
    }

    @Override
    public void checksumRanges(ChecksumRequest req, StreamObserver<ChecksumResponse> out) {
        unary(out, "checksum ranges of " + req.getFile(), () -> RangeChecksums.compute(replica(), req));
    }

    @Override
    public void readExtents(ReadExtentsRequest req, StreamObserver<DataChunk> out) {
        List<Extent> extents;
        try {
            extents = ProtoMapping.extents(req.getExtentsList());
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
            return;
        }
        new ExtentStreamer(served, req.getFile(), extents, out, work).start();
    }

    @Override
    public StreamObserver<DataChunk> writeExtents(StreamObserver<WriteExtentsResponse> out) {
        return new ExtentReceiver(served, out, work).start();
    }

    @Override
    public void retainExtents(ReadExtentsRequest req, StreamObserver<Empty> out) {
        unary(out, "retain extents of " + req.getFile(), () -> {
            replica().retainExtents(req.getFile(), ProtoMapping.extents(req.getExtentsList()));
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void rebuildPrepare(RebuildPrepareRequest req, StreamObserver<ReplicaInfo> out) {
        unary(out, "prepare rebuild", () -> {
            List<SnapshotInfo> snaps = req.getSnapshotsList().stream().map(ProtoMapping::fromProto).toList();
            replica().rebuildPrepare(snaps);
            return info();
        });
    }

    @Override
    public void rebuildFinish(Empty req, StreamObserver<ReplicaInfo> out) {
        unary(out, "finish rebuild", () -> {
            replica().rebuildFinish();
            return info();
        });
    }

    // ---------------------------------------------------------------- snapshot data integrity

    @Override
    public void snapshotChecksums(SnapshotChecksumsRequest req, StreamObserver<SnapshotChecksumsResponse> out) {
        // Hashing may take minutes at its paced rate: the wait runs on a virtual thread, not on the
        // small pool other control calls need.
        Thread.ofVirtual().name("lh-checksum-call").start(() -> {
            SnapshotChecksumsResponse result;
            try {
                SnapshotChecksums.Mode mode = SnapshotChecksums.Mode.parse(req.getMode());
                result = ProtoMapping.checksums(checksums().refresh(mode));
            } catch (Throwable t) {
                fail(out, "snapshot checksums", t);
                return;
            }
            out.onNext(result);
            out.onCompleted();
        });
    }

    /** The hasher of the replica served now (a new one after the replica was reopened). */
    private synchronized SnapshotChecksums checksums() {
        Replica r = replica();
        if (checksums == null || checksumsOf != r) {
            if (checksums != null) {
                checksums.close();
            }
            checksums = new SnapshotChecksums(r, SnapshotChecksums.configuredRate());
            checksumsOf = r;
        }
        return checksums;
    }

    // ---------------------------------------------------------------- helpers

    private Replica replica() {
        return served.replica();
    }

    private ReplicaInfo info() {
        return ProtoMapping.info(replica(), served.dataAddress(), served.dataSocket()).toBuilder()
                .setAuthRefusals(served.authRefusals()).build();
    }

    /** Runs {@code call} on the work pool and answers with its result or its mapped error. */
    private <T> void unary(StreamObserver<T> out, String what, Supplier<T> call) {
        try {
            work.execute(() -> {
                T result;
                try {
                    result = call.get();
                } catch (Throwable t) {
                    fail(out, what, t);
                    return;
                }
                out.onNext(result);
                out.onCompleted();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            fail(out, what, new ServedReplica.NotServingException("the replica is shutting down"));
        }
    }

    private void fail(StreamObserver<?> out, String what, Throwable t) {
        StatusRuntimeException s = GrpcErrors.toStatus(t);
        if (GrpcErrors.isServerFault(s)) {
            LOG.errorf(t, "%s: %s failed: %s", describe(), what, s.getStatus().getDescription());
        } else {
            LOG.debugf("%s: %s refused: %s", describe(), what, s.getStatus());
        }
        out.onError(s);
    }

    private String describe() {
        try {
            return "replica " + served.replica().directory();
        } catch (RuntimeException e) {
            return "replica";
        }
    }

    /** For callers that need the flow-controlled observer; null when it is a plain observer. */
    static <T> ServerCallStreamObserver<T> callObserver(StreamObserver<T> out) {
        return out instanceof ServerCallStreamObserver<T> s ? s : null;
    }
}
