package io.longhorn.manager.controller.engine;

import io.longhorn.api.engine.Rebuild;
import io.longhorn.api.engine.RebuildState;
import io.longhorn.api.engine.Replica;
import io.longhorn.api.engine.Snapshot;
import io.longhorn.api.engine.SnapshotListResponse;
import io.longhorn.api.engine.Volume;
import io.longhorn.manager.client.EngineClient;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.metrics.IoSample;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.EngineStatus;
import io.longhorn.manager.model.RebuildStatus;
import io.longhorn.manager.model.SnapshotInfo;
import io.longhorn.manager.service.SnapshotService;
import io.longhorn.manager.store.Resources;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One poll of a running engine: reads its volume (replicas and modes, endpoint, size), makes its
 * replica set match the spec, reads rebuild progress and snapshots, and expands it when the spec
 * asks for more. Writes what it saw into the status copy it is given.
 */
final class EngineMonitor {
    private final ControllerContext ctx;

    EngineMonitor(ControllerContext ctx) {
        this.ctx = ctx;
    }

    void poll(Engine engine, EngineStatus status, EngineClient client) {
        String name = Resources.name(engine);
        Volume info = client.volumeInfo();
        observe(engine, status, info);
        if (syncReplicas(engine, info, client)) {
            info = client.volumeInfo();
            observe(engine, status, info);
        }
        ioCounters(engine, info);
        rebuilds(status, info, client);
        snapshots(status, client);
        expand(engine, status, info, client, name);
        status.error = "";
    }

    private void observe(Engine engine, EngineStatus status, Volume info) {
        Map<String, String> nameByAddress = new HashMap<>();
        status.currentReplicaAddressMap.forEach((n, a) -> nameByAddress.put(a, n));
        engine.getSpec().replicaAddressMap.forEach((n, a) -> nameByAddress.put(a, n));
        Map<String, String> current = new LinkedHashMap<>();
        Map<String, String> modes = new LinkedHashMap<>();
        for (Replica r : info.getReplicasList()) {
            String n = nameByAddress.getOrDefault(r.getAddress(), r.getAddress());
            current.put(n, r.getAddress());
            String mode = r.getMode().name();
            if (!mode.equals(status.replicaModeMap.get(n))) {
                status.replicaTransitionTimeMap.put(n, ctx.now());
            }
            modes.put(n, mode);
        }
        status.replicaTransitionTimeMap.keySet().retainAll(modes.keySet());
        status.currentReplicaAddressMap = current;
        status.replicaModeMap = modes;
        status.endpoint = info.getFrontendRunning() ? info.getEndpoint() : "";
        status.currentSize = info.getSize();
        status.generation = Math.max(status.generation, info.getGeneration());
    }

    /** Hands the client I/O counters to the rate computation behind /metrics (not to the status: they change all the time). */
    private void ioCounters(Engine engine, Volume info) {
        if (info.hasIoStats()) {
            ctx.ioRates().record(engine.getSpec().volumeName, IoSample.of(info.getIoStats()));
        }
        ctx.ioRates().recordAuthRefusals(engine.getSpec().volumeName, info.getAuthRefusals());
    }

    /** Adds replicas the spec names and the engine lacks; removes those it has and the spec dropped. */
    private boolean syncReplicas(Engine engine, Volume info, EngineClient client) {
        Set<String> inEngine = new HashSet<>();
        info.getReplicasList().forEach(r -> inEngine.add(r.getAddress()));
        Set<String> wanted = new HashSet<>(engine.getSpec().replicaAddressMap.values());
        boolean changed = false;
        for (Map.Entry<String, String> e : engine.getSpec().replicaAddressMap.entrySet()) {
            if (!inEngine.contains(e.getValue())) {
                client.replicaAdd(e.getValue());
                ctx.events().normal("Engine", Resources.name(engine), "ReplicaAdded", "engine of volume "
                        + engine.getSpec().volumeName + " added replica " + e.getKey() + " (" + e.getValue() + ")");
                changed = true;
            }
        }
        for (String address : inEngine) {
            if (!wanted.contains(address)) {
                client.replicaRemove(address);
                ctx.events().normal("Engine", Resources.name(engine), "ReplicaRemoved", "engine of volume "
                        + engine.getSpec().volumeName + " removed replica " + address);
                changed = true;
            }
        }
        return changed;
    }

    private static void rebuilds(EngineStatus status, Volume info, EngineClient client) {
        boolean any = info.getRebuilding() || info.getReplicasList().stream()
                .anyMatch(r -> r.getMode() == io.longhorn.api.engine.ReplicaMode.WO);
        if (!any) {
            status.rebuildStatus = new LinkedHashMap<>();
            return;
        }
        Map<String, RebuildStatus> map = new LinkedHashMap<>();
        for (Rebuild r : client.rebuildStatus().getRebuildsList()) {
            RebuildStatus s = new RebuildStatus();
            s.isRebuilding = r.getState() == RebuildState.IN_PROGRESS;
            s.progress = r.getPercent();
            s.state = switch (r.getState()) {
                case IN_PROGRESS -> "in_progress";
                case COMPLETE -> "complete";
                case FAILED -> "error";
                default -> "";
            };
            s.error = r.getError();
            s.fromReplicaAddress = r.getSource();
            map.put(r.getAddress(), s);
        }
        status.rebuildStatus = map;
    }

    private static void snapshots(EngineStatus status, EngineClient client) {
        try {
            SnapshotListResponse list = client.snapshotList();
            Map<String, SnapshotInfo> map = new LinkedHashMap<>();
            for (Snapshot s : list.getSnapshotsList()) {
                map.put(s.getName(), toInfo(s));
            }
            // As Longhorn reports it: the head is a child of the snapshot it is based on, so the
            // Snapshot resources say where the head is while the volume is detached.
            SnapshotInfo headParent = map.get(list.getHeadParent());
            if (headParent != null) {
                headParent.children.put(SnapshotService.HEAD, true);
            }
            status.snapshots = map;
            status.snapshotsError = "";
        } catch (ServiceCallException e) {
            status.snapshotsError = e.getMessage();
        }
    }

    static SnapshotInfo toInfo(Snapshot s) {
        SnapshotInfo i = new SnapshotInfo();
        i.name = s.getName();
        i.parent = s.getParent();
        s.getChildrenList().forEach(c -> i.children.put(c, true));
        i.removed = s.getRemoved();
        i.usercreated = s.getUserCreated();
        i.created = s.getCreated();
        i.size = Long.toString(s.getActualSize());
        i.labels.putAll(s.getLabelsMap());
        return i;
    }

    private void expand(Engine engine, EngineStatus status, Volume info, EngineClient client, String name) {
        long wanted = engine.getSpec().volumeSize;
        if (wanted <= info.getSize() || info.getRebuilding()) {
            status.isExpanding = false;
            return;
        }
        status.isExpanding = true;
        try {
            Volume after = client.expand(wanted);
            status.currentSize = after.getSize();
            status.isExpanding = false;
            status.lastExpansionError = "";
            ctx.events().normal("Engine", name, "Expanded", "volume " + engine.getSpec().volumeName
                    + " expanded to " + after.getSize() + " bytes");
        } catch (ServiceCallException e) {
            status.isExpanding = false;
            status.lastExpansionError = e.getMessage();
            status.lastExpansionFailedAt = ctx.now();
            ctx.events().warning("Engine", name, "ExpansionFailed", e.getMessage());
        }
    }
}
