package io.longhorn.manager.controller.volume;

import io.longhorn.manager.client.EngineClient;
import io.longhorn.manager.client.ReplicaClients;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.store.Resources;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The source volume of a copy, as the copy reaches it. Attached, its engine runs: a snapshot is
 * taken and removed through the engine (on every replica at once, I/O paused), and the data is read
 * from one of its RW replicas. Detached, it has no engine: while a copy from it is pending, its
 * healthy replicas run without one (see {@link AttachStep}), nothing writes to them, so a snapshot
 * taken on each with the same name and time gives the same chain everywhere; the data is read from
 * one of them.
 */
final class CloneSource {
    private final ControllerContext ctx;
    private final ReplicaClients replicas;
    private final Volume volume;
    private final Engine engine;
    private final List<Replica> running;

    private CloneSource(ControllerContext ctx, ReplicaClients replicas, Volume volume, Engine engine,
                        List<Replica> running) {
        this.ctx = ctx;
        this.replicas = replicas;
        this.volume = volume;
        this.engine = engine;
        this.running = running;
    }

    /**
     * The source as it is now, or empty while it cannot be read: its engine starting or stopping,
     * or (detached) some of its healthy replicas not running yet.
     */
    static Optional<CloneSource> of(ControllerContext ctx, ReplicaClients replicas, Volume volume) {
        String name = Resources.name(volume);
        Map<String, String> selector = Map.of(Longhorn.LABEL_VOLUME, name);
        List<Replica> usable = ctx.store().list(Replica.class, selector).stream()
                .filter(r -> r.getSpec().failedAt.isEmpty() && !Resources.isDeleting(r)).toList();
        // The replicas that hold the data; a volume never attached has none yet, and all are alike (empty).
        List<Replica> healthy = usable.stream().filter(r -> !r.getSpec().healthyAt.isEmpty()).toList();
        if (healthy.isEmpty()) {
            healthy = usable;
        }
        Engine engine = ctx.store().list(Engine.class, selector).stream().findFirst().orElse(null);
        boolean engineRunning = engine != null && InstanceState.RUNNING.equals(engine.getStatus().currentState)
                && engine.getStatus().port > 0;
        if (engineRunning) {
            Map<String, String> modes = engine.getStatus().replicaModeMap;
            List<Replica> rw = healthy.stream().filter(VolumeWork::running)
                    .filter(r -> ReplicaMode.RW.equals(modes.get(Resources.name(r)))).toList();
            return rw.isEmpty() ? Optional.empty() : Optional.of(new CloneSource(ctx, replicas, volume, engine, rw));
        }
        if (engine != null && !AttachStep.isStopped(engine)) {
            return Optional.empty(); // starting or stopping: look again once it settled
        }
        if (healthy.isEmpty() || !healthy.stream().allMatch(VolumeWork::running)) {
            return Optional.empty();
        }
        return Optional.of(new CloneSource(ctx, replicas, volume, null, healthy));
    }

    String name() {
        return Resources.name(volume);
    }

    /** The control address ({@code host:port}) of the replica the copy reads from. */
    String readAddress() {
        Replica r = running.getFirst();
        return r.getStatus().ip + ":" + r.getStatus().port;
    }

    private EngineClient engineClient() {
        return ctx.engines().forAddress(engine.getStatus().ip + ":" + engine.getStatus().port);
    }

    /** Whether the snapshot exists (not marked removed) where the copy reads. */
    boolean hasSnapshot(String snapshot) {
        if (engine != null) {
            return engineClient().snapshotList().getSnapshotsList().stream()
                    .anyMatch(s -> s.getName().equals(snapshot) && !s.getRemoved());
        }
        return replicas.forReplica(readAddress()).snapshots().contains(snapshot);
    }

    /** Takes the snapshot a {@code vol://} copy reads, on every replica, unless it exists already. */
    void takeSnapshot(String snapshot, Map<String, String> labels) {
        if (engine != null) {
            if (!hasSnapshot(snapshot)) {
                engineClient().snapshotCreate(snapshot, labels);
            }
            return;
        }
        String created = ctx.now();
        for (Replica r : running) {
            var client = replicas.forReplica(r.getStatus().ip + ":" + r.getStatus().port);
            if (!client.snapshots().contains(snapshot)) {
                client.snapshotCreate(snapshot, labels, created);
            }
        }
    }

    /** Removes a snapshot taken for a copy (marked removed, then purged), wherever it still is. */
    void removeSnapshot(String snapshot) {
        if (engine != null) {
            if (hasSnapshot(snapshot)) {
                engineClient().snapshotRemove(snapshot);
                engineClient().snapshotPurge();
            }
            return;
        }
        for (Replica r : running) {
            var client = replicas.forReplica(r.getStatus().ip + ":" + r.getStatus().port);
            if (client.snapshots().contains(snapshot)) {
                client.snapshotRemoveAndPurge(snapshot);
            }
        }
    }
}
