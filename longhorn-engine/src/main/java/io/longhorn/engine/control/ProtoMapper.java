package io.longhorn.engine.control;

import io.longhorn.api.engine.IoCounters;
import io.longhorn.api.engine.Rebuild;
import io.longhorn.api.engine.RebuildState;
import io.longhorn.api.engine.RebuildStatusResponse;
import io.longhorn.api.engine.Replica;
import io.longhorn.api.engine.ReplicaListResponse;
import io.longhorn.api.engine.ReplicaMode;
import io.longhorn.api.engine.Snapshot;
import io.longhorn.api.engine.SnapshotCreateResponse;
import io.longhorn.api.engine.SnapshotListResponse;
import io.longhorn.api.engine.Volume;
import io.longhorn.engine.controller.ReplicaStatus;
import io.longhorn.engine.controller.SnapshotListing;
import io.longhorn.engine.controller.SnapshotResult;
import io.longhorn.engine.controller.SnapshotView;
import io.longhorn.engine.controller.VolumeStatus;
import io.longhorn.engine.frontend.IoStats;
import io.longhorn.engine.rebuild.RebuildProgress;
import java.util.List;

/** The controller's values as engine.proto messages. */
final class ProtoMapper {

    private ProtoMapper() {
    }

    static Volume volume(VolumeStatus s) {
        return Volume.newBuilder()
                .setName(s.name())
                .setSize(s.size())
                .setSectorSize(s.sectorSize())
                .setFrontend(s.frontend())
                .setEndpoint(s.endpoint())
                .setFrontendRunning(s.frontendRunning())
                .setGeneration(s.generation())
                .addAllReplicas(s.replicas().stream().map(ProtoMapper::replica).toList())
                .setRebuilding(s.rebuilding())
                .setState(s.state())
                .setIoStats(io(s.io()))
                .build();
    }

    static io.longhorn.api.engine.IoStats io(IoStats.Snapshot s) {
        return io.longhorn.api.engine.IoStats.newBuilder()
                .setId(s.id())
                .setUptimeNanos(s.uptimeNanos())
                .setRead(counters(s.read()))
                .setWrite(counters(s.write()))
                .setFlush(counters(s.flush()))
                .setTrim(counters(s.trim()))
                .setWriteZeroes(counters(s.writeZeroes()))
                .build();
    }

    private static IoCounters counters(IoStats.Counters c) {
        return IoCounters.newBuilder().setCount(c.count()).setBytes(c.bytes()).setErrors(c.errors())
                .setLatencyNanos(c.latencyNanos()).build();
    }

    static Replica replica(ReplicaStatus r) {
        return Replica.newBuilder()
                .setAddress(r.address())
                .setDataAddress(r.dataAddress())
                .setMode(switch (r.mode()) {
                    case RW -> ReplicaMode.RW;
                    case WO -> ReplicaMode.WO;
                    case ERR -> ReplicaMode.ERR;
                })
                .setError(r.error())
                .setGeneration(r.generation())
                .build();
    }

    static ReplicaListResponse replicas(List<ReplicaStatus> rs) {
        return ReplicaListResponse.newBuilder().addAllReplicas(rs.stream().map(ProtoMapper::replica).toList()).build();
    }

    static RebuildStatusResponse rebuilds(List<RebuildProgress> ps) {
        RebuildStatusResponse.Builder b = RebuildStatusResponse.newBuilder();
        for (RebuildProgress p : ps) {
            b.addRebuilds(Rebuild.newBuilder()
                    .setAddress(p.target())
                    .setSource(p.source())
                    .setState(switch (p.state()) {
                        case IN_PROGRESS -> RebuildState.IN_PROGRESS;
                        case COMPLETE -> RebuildState.COMPLETE;
                        case FAILED -> RebuildState.FAILED;
                    })
                    .setBytesDone(p.done())
                    .setBytesTotal(p.total())
                    .setPercent(p.percent())
                    .setBytesCopied(p.copied())
                    .setCurrentFile(p.currentFile())
                    .setError(p.error())
                    .setStarted(p.started().toString())
                    .setFinished(p.finished() == null ? "" : p.finished().toString()));
        }
        return b.build();
    }

    static SnapshotListResponse snapshots(SnapshotListing l) {
        SnapshotListResponse.Builder b = SnapshotListResponse.newBuilder().setHeadParent(l.headParent());
        for (SnapshotView s : l.snapshots()) {
            b.addSnapshots(Snapshot.newBuilder()
                    .setName(s.name())
                    .setParent(s.parent())
                    .addAllChildren(s.children())
                    .setCreated(s.created())
                    .putAllLabels(s.labels())
                    .setUserCreated(s.userCreated())
                    .setRemoved(s.removed())
                    .setActualSize(s.actualSize())
                    .setReplicaCount(s.replicaCount()));
        }
        return b.build();
    }

    static SnapshotCreateResponse created(SnapshotResult r) {
        return SnapshotCreateResponse.newBuilder().setName(r.name()).setCreated(r.created())
                .setPauseMicros(r.pauseMicros()).build();
    }
}
