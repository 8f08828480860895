package io.longhorn.manager.controller.volume;

import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.Resources;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one volume reconcile works on: the volume (whose status is edited in place and written once
 * at the end), its engine and its replicas as last written. Steps replace objects here after every
 * write so later steps see the current versions.
 */
final class VolumeWork {
    final Volume original;
    Volume volume;
    Engine engine;
    final Map<String, Replica> replicas = new TreeMap<>();
    /** Replicas chosen for removal: kept out of the engine, deleted once the engine dropped them. */
    final Set<String> removing = new HashSet<>();
    /** Whether a restore (initial or DR) or a copy into the volume needs the replicas running without an engine. */
    boolean restoring;
    /** Whether another volume is being filled from this one: its replicas run even while it is detached. */
    boolean copySource;

    private VolumeWork(Volume volume) {
        this.original = volume;
        this.volume = Resources.copy(volume);
    }

    static VolumeWork load(ResourceStore store, Volume volume) {
        VolumeWork w = new VolumeWork(volume);
        Map<String, String> selector = Map.of(Longhorn.LABEL_VOLUME, Resources.name(volume));
        w.engine = store.list(Engine.class, selector).stream().findFirst().orElse(null);
        for (Replica r : store.list(Replica.class, selector)) {
            w.replicas.put(Resources.name(r), r);
        }
        String name = Resources.name(volume);
        w.copySource = store.list(Volume.class).stream().filter(CloneStep::filling).filter(v -> !Resources.isDeleting(v))
                .anyMatch(v -> DataSource.sourceVolume(v.getSpec().dataSource).equals(name));
        return w;
    }

    String name() {
        return Resources.name(volume);
    }

    void put(Replica r) {
        replicas.put(Resources.name(r), r);
    }

    /** Replicas that are neither failed nor being deleted nor chosen for removal. */
    List<Replica> healthy() {
        List<Replica> list = new ArrayList<>();
        for (Replica r : replicas.values()) {
            if (r.getSpec().failedAt.isEmpty() && !Resources.isDeleting(r) && !removing.contains(Resources.name(r))) {
                list.add(r);
            }
        }
        return list;
    }

    List<Replica> failed() {
        return replicas.values().stream().filter(r -> !r.getSpec().failedAt.isEmpty()).toList();
    }

    boolean engineRunning() {
        return engine != null && InstanceState.RUNNING.equals(engine.getStatus().currentState);
    }

    /** The engine's replica modes by replica name; empty unless the engine runs. */
    Map<String, String> modes() {
        return engineRunning() ? engine.getStatus().replicaModeMap : Map.of();
    }

    /** Replica names the running engine has (whatever their mode). */
    Set<String> inEngine() {
        return engineRunning() ? engine.getStatus().currentReplicaAddressMap.keySet() : Set.of();
    }

    static boolean running(Replica r) {
        return InstanceState.RUNNING.equals(r.getStatus().currentState) && r.getStatus().port > 0;
    }

    /**
     * Running, or starting at an address known already (the process launcher chooses a replica's
     * ports up front): an engine may be started over it, and waits for it to serve.
     */
    static boolean addressable(Replica r) {
        return running(r) || (InstanceState.STARTING.equals(r.getStatus().currentState) && r.getStatus().port > 0);
    }

    static String address(Replica r) {
        return "tcp://" + r.getStatus().ip + ":" + r.getStatus().port;
    }
}
