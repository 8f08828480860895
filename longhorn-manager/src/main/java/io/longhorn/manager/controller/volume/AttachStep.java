package io.longhorn.manager.controller.volume;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Writes;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.EngineSpec;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.Resources;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Attach and detach. Attaching starts the healthy replicas, then, once each runs or starts at a
 * known address (or failed), the engine over them: it waits for the starting ones to serve. While attached it keeps the engine's replica map equal to the
 * healthy running replicas, adding a new replica (which the engine rebuilds) only when no other
 * rebuild of the volume runs and the node's rebuild limit allows. Detaching stops the engine first,
 * then the replicas, so no write reaches a replica after the engine let go of it. A detached volume
 * that another volume is being filled from keeps its replicas running without an engine.
 */
final class AttachStep {
    private final ControllerContext ctx;

    AttachStep(ControllerContext ctx) {
        this.ctx = ctx;
    }

    void run(VolumeWork w) {
        String node = w.volume.getSpec().nodeID;
        boolean wantEngine = !node.isEmpty() && !w.restoring;
        boolean wantReplicas = wantEngine || w.restoring || w.copySource;
        boolean engineDown = w.engine == null || isStopped(w.engine);
        for (Replica r : List.copyOf(w.replicas.values())) {
            boolean healthy = w.healthy().contains(r);
            String desire = healthy && (wantReplicas || !engineDown) ? InstanceState.RUNNING : InstanceState.STOPPED;
            setReplicaDesire(w, r, desire);
        }
        if (w.engine == null) {
            return;
        }
        Engine copy = Resources.copy(w.engine);
        EngineSpec spec = copy.getSpec();
        spec.volumeSize = w.volume.getSpec().size;
        if (spec.salvageRequested) {
            // Salvage restarts the engine over the salvaged replicas: let the old one stop first.
            spec.desireState = InstanceState.STOPPED;
            if (engineDown) {
                spec.salvageRequested = false;
            }
        } else if (wantEngine) {
            if (spec.salvageStart && w.engineRunning()) {
                spec.salvageStart = false; // the salvage start happened; later starts are ordinary
            }
            attach(w, spec, node);
        } else {
            spec.desireState = InstanceState.STOPPED;
            spec.nodeID = "";
            spec.replicaAddressMap = new LinkedHashMap<>();
        }
        w.engine = Writes.updateIfChanged(ctx.store(), w.engine, copy);
    }

    private void attach(VolumeWork w, EngineSpec spec, String node) {
        spec.frontend = w.volume.getSpec().frontend;
        spec.disableFrontend = w.volume.getSpec().disableFrontend;
        List<Replica> healthy = w.healthy();
        if (!w.engineRunning() && healthy.stream().anyMatch(r -> !r.getSpec().healthyAt.isEmpty())) {
            // An engine starts over the replicas that hold the data; empty ones join later by rebuild.
            healthy = healthy.stream().filter(r -> !r.getSpec().healthyAt.isEmpty()).toList();
        }
        if (!w.engineRunning()) {
            // (Re)start over every healthy replica once each runs or starts at a known address: the
            // engine starts while they do and waits for them to serve. Wait while some have no address.
            Map<String, String> addressed = new LinkedHashMap<>();
            for (Replica r : healthy) {
                if (!VolumeWork.addressable(r)) {
                    return;
                }
                addressed.put(Resources.name(r), VolumeWork.address(r));
            }
            if (addressed.isEmpty()) {
                return;
            }
            spec.nodeID = node;
            spec.replicaAddressMap = addressed;
            spec.desireState = InstanceState.RUNNING;
            return;
        }
        Map<String, String> ready = new LinkedHashMap<>();
        for (Replica r : healthy) {
            if (VolumeWork.running(r)) {
                ready.put(Resources.name(r), VolumeWork.address(r));
            }
        }
        Map<String, String> next = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : spec.replicaAddressMap.entrySet()) {
            if (ready.containsKey(e.getKey())) {
                next.put(e.getKey(), ready.get(e.getKey()));
            }
        }
        boolean rebuilding = w.modes().containsValue(ReplicaMode.WO)
                || next.keySet().stream().anyMatch(n -> !w.modes().containsKey(n))
                || !w.modes().containsValue(ReplicaMode.RW);
        for (Map.Entry<String, String> e : ready.entrySet()) {
            if (!next.containsKey(e.getKey()) && !rebuilding && rebuildAllowed(node)) {
                next.put(e.getKey(), e.getValue());
                rebuilding = true;
                ctx.events().normal("Volume", w.name(), "RebuildStarted", "adding replica " + e.getKey()
                        + " to volume " + w.name() + " for rebuild");
            }
        }
        spec.replicaAddressMap = next;
    }

    /** The node's rebuild limit (concurrent-replica-rebuild-per-node-limit) counts WO replicas of every engine. */
    private boolean rebuildAllowed(String node) {
        long limit = ctx.settings().integer(SettingNames.CONCURRENT_REPLICA_REBUILD_PER_NODE_LIMIT);
        if (limit <= 0) {
            return false;
        }
        long rebuilding = ctx.store().list(Engine.class).stream()
                .filter(e -> node.equals(e.getSpec().nodeID))
                .mapToLong(e -> e.getStatus().replicaModeMap.values().stream().filter(ReplicaMode.WO::equals).count())
                .sum();
        return rebuilding < limit;
    }

    private void setReplicaDesire(VolumeWork w, Replica r, String desire) {
        if (desire.equals(r.getSpec().desireState) || Resources.isDeleting(r)) {
            return;
        }
        Replica copy = Resources.copy(r);
        copy.getSpec().desireState = desire;
        if (w.engine != null) {
            copy.getSpec().engineName = Resources.name(w.engine);
        }
        w.put(ctx.store().update(copy));
    }

    static boolean isStopped(Engine e) {
        String s = e.getStatus().currentState;
        return InstanceState.STOPPED.equals(s) || InstanceState.ERROR.equals(s) || s.isEmpty();
    }
}
