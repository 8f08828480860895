package io.longhorn.engine.control;

import io.grpc.stub.StreamObserver;
import io.longhorn.api.engine.Empty;
import io.longhorn.api.engine.EngineServiceGrpc;
import io.longhorn.api.engine.ExpandRequest;
import io.longhorn.api.engine.RebuildStatusResponse;
import io.longhorn.api.engine.ReplicaAddRequest;
import io.longhorn.api.engine.ReplicaListResponse;
import io.longhorn.api.engine.ReplicaRequest;
import io.longhorn.api.engine.SnapshotCreateRequest;
import io.longhorn.api.engine.SnapshotCreateResponse;
import io.longhorn.api.engine.SnapshotListResponse;
import io.longhorn.api.engine.SnapshotRequest;
import io.longhorn.api.engine.Volume;
import io.longhorn.engine.controller.VolumeController;
import io.longhorn.engine.controller.VolumeException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The engine's control API (engine.proto). Every call may wait on replicas, so all run on worker
 * threads. Errors carry the controller's message and a status code from {@link GrpcErrors}.
 */
@GrpcService
@Blocking
public class EngineGrpcService extends EngineServiceGrpc.EngineServiceImplBase {

    private static final Logger LOG = Logger.getLogger(EngineGrpcService.class);

    @Inject
    EngineHolder holder;

    @Inject
    EngineAuth auth;

    @Override
    public void volumeInfo(Empty request, StreamObserver<Volume> out) {
        respond(out, () -> ProtoMapper.volume(c().status()).toBuilder().setAuthRefusals(auth.refusals()).build());
    }

    @Override
    public void replicaList(Empty request, StreamObserver<ReplicaListResponse> out) {
        respond(out, () -> ProtoMapper.replicas(c().replicaStatus()));
    }

    @Override
    public void replicaAdd(ReplicaAddRequest request, StreamObserver<ReplicaListResponse> out) {
        respond(out, () -> {
            c().addReplica(request.getAddress());
            return ProtoMapper.replicas(c().replicaStatus());
        });
    }

    @Override
    public void replicaRemove(ReplicaRequest request, StreamObserver<ReplicaListResponse> out) {
        respond(out, () -> {
            c().removeReplica(request.getAddress());
            return ProtoMapper.replicas(c().replicaStatus());
        });
    }

    @Override
    public void rebuildStatus(Empty request, StreamObserver<RebuildStatusResponse> out) {
        respond(out, () -> ProtoMapper.rebuilds(c().rebuildStatus()));
    }

    @Override
    public void snapshotCreate(SnapshotCreateRequest request, StreamObserver<SnapshotCreateResponse> out) {
        respond(out, () -> ProtoMapper.created(c().snapshot(request.getName(), request.getLabelsMap())));
    }

    @Override
    public void snapshotList(Empty request, StreamObserver<SnapshotListResponse> out) {
        respond(out, () -> ProtoMapper.snapshots(c().snapshots()));
    }

    @Override
    public void snapshotRemove(SnapshotRequest request, StreamObserver<SnapshotListResponse> out) {
        respond(out, () -> ProtoMapper.snapshots(c().removeSnapshot(request.getName())));
    }

    @Override
    public void snapshotRevert(SnapshotRequest request, StreamObserver<SnapshotListResponse> out) {
        respond(out, () -> ProtoMapper.snapshots(c().revert(request.getName())));
    }

    @Override
    public void snapshotPurge(Empty request, StreamObserver<SnapshotListResponse> out) {
        respond(out, () -> ProtoMapper.snapshots(c().purge()));
    }

    @Override
    public void expand(ExpandRequest request, StreamObserver<Volume> out) {
        respond(out, () -> {
            c().expand(request.getSize());
            return ProtoMapper.volume(c().status());
        });
    }

    @Override
    public void frontendStop(Empty request, StreamObserver<Volume> out) {
        respond(out, () -> {
            c().stopFrontend();
            return ProtoMapper.volume(c().status());
        });
    }

    @Override
    public void frontendStart(Empty request, StreamObserver<Volume> out) {
        respond(out, () -> {
            try {
                c().startFrontend();
            } catch (IOException e) {
                throw new VolumeException(VolumeException.Kind.UNAVAILABLE, e.getMessage(), e);
            }
            return ProtoMapper.volume(c().status());
        });
    }

    private VolumeController c() {
        return holder.controller();
    }

    private static <T> void respond(StreamObserver<T> out, Supplier<T> call) {
        T value;
        try {
            value = call.get();
        } catch (RuntimeException e) {
            if (!(e instanceof VolumeException)) {
                LOG.warnf(e, "control call failed");
            }
            out.onError(GrpcErrors.toStatus(e));
            return;
        }
        out.onNext(value);
        out.onCompleted();
    }
}
