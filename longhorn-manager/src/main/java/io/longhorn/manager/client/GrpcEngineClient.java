package io.longhorn.manager.client;

import io.grpc.ManagedChannel;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@link EngineClient} over gRPC with a deadline per call. */
final class GrpcEngineClient implements EngineClient {
    private static final Empty EMPTY = Empty.getDefaultInstance();
    /** Quick calls: state queries. */
    private static final long QUICK_SECONDS = 5;
    /** Calls that touch every replica (snapshots pause I/O; expansion grows files). */
    private static final long SLOW_SECONDS = 60;

    private final String address;
    private final EngineServiceGrpc.EngineServiceBlockingStub stub;

    GrpcEngineClient(String address, ManagedChannel channel) {
        this.address = address;
        this.stub = EngineServiceGrpc.newBlockingStub(channel);
    }

    private EngineServiceGrpc.EngineServiceBlockingStub quick() {
        return stub.withDeadlineAfter(QUICK_SECONDS, TimeUnit.SECONDS);
    }

    private EngineServiceGrpc.EngineServiceBlockingStub slow() {
        return stub.withDeadlineAfter(SLOW_SECONDS, TimeUnit.SECONDS);
    }

    private String at(String what) {
        return what + " on engine " + address;
    }

    @Override
    public Volume volumeInfo() {
        return GrpcCalls.call(at("get volume info"), () -> quick().volumeInfo(EMPTY));
    }

    @Override
    public ReplicaListResponse replicaAdd(String replica) {
        return GrpcCalls.call(at("add replica " + replica),
                () -> slow().replicaAdd(ReplicaAddRequest.newBuilder().setAddress(replica).build()));
    }

    @Override
    public ReplicaListResponse replicaRemove(String replica) {
        return GrpcCalls.call(at("remove replica " + replica),
                () -> slow().replicaRemove(ReplicaRequest.newBuilder().setAddress(replica).build()));
    }

    @Override
    public RebuildStatusResponse rebuildStatus() {
        return GrpcCalls.call(at("get rebuild status"), () -> quick().rebuildStatus(EMPTY));
    }

    @Override
    public SnapshotCreateResponse snapshotCreate(String name, Map<String, String> labels) {
        SnapshotCreateRequest req = SnapshotCreateRequest.newBuilder().setName(name).putAllLabels(labels).build();
        return GrpcCalls.call(at("create snapshot " + name), () -> slow().snapshotCreate(req));
    }

    @Override
    public SnapshotListResponse snapshotList() {
        return GrpcCalls.call(at("list snapshots"), () -> quick().snapshotList(EMPTY));
    }

    @Override
    public SnapshotListResponse snapshotRemove(String name) {
        return GrpcCalls.call(at("delete snapshot " + name),
                () -> slow().snapshotRemove(SnapshotRequest.newBuilder().setName(name).build()));
    }

    @Override
    public SnapshotListResponse snapshotRevert(String name) {
        return GrpcCalls.call(at("revert to snapshot " + name),
                () -> slow().snapshotRevert(SnapshotRequest.newBuilder().setName(name).build()));
    }

    @Override
    public SnapshotListResponse snapshotPurge() {
        return GrpcCalls.call(at("purge snapshots"), () -> slow().snapshotPurge(EMPTY));
    }

    @Override
    public Volume expand(long size) {
        return GrpcCalls.call(at("expand to " + size + " bytes"),
                () -> slow().expand(ExpandRequest.newBuilder().setSize(size).build()));
    }

    @Override
    public Volume frontendStop() {
        return GrpcCalls.call(at("stop the frontend"), () -> slow().frontendStop(EMPTY));
    }

    @Override
    public Volume frontendStart() {
        return GrpcCalls.call(at("start the frontend"), () -> slow().frontendStart(EMPTY));
    }
}
