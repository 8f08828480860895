package io.longhorn.manager.api;

import io.longhorn.manager.api.dto.BackupTargetView;
import io.longhorn.manager.api.dto.BackupView;
import io.longhorn.manager.api.dto.BackupVolumeView;
import io.longhorn.manager.api.dto.ControllerView;
import io.longhorn.manager.api.dto.DiskView;
import io.longhorn.manager.api.dto.EngineImageView;
import io.longhorn.manager.api.dto.EventView;
import io.longhorn.manager.api.dto.NodeView;
import io.longhorn.manager.api.dto.RebuildView;
import io.longhorn.manager.api.dto.RecurringJobView;
import io.longhorn.manager.api.dto.ReplicaView;
import io.longhorn.manager.api.dto.SettingView;
import io.longhorn.manager.api.dto.VolumeView;
import io.longhorn.manager.controller.replica.ReplicaController;
import io.longhorn.manager.events.ManagerEvent;
import io.longhorn.manager.model.Backup;
import io.longhorn.manager.model.BackupTarget;
import io.longhorn.manager.model.BackupTargetStatus;
import io.longhorn.manager.model.BackupState;
import io.longhorn.manager.model.BackupVolume;
import io.longhorn.manager.model.Condition;
import io.longhorn.manager.model.DiskSpec;
import io.longhorn.manager.model.DiskStatus;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.EngineImage;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.model.RebuildStatus;
import io.longhorn.manager.model.RecurringJob;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.model.VolumeState;
import io.longhorn.manager.service.ManagerServices;
import io.longhorn.manager.service.SettingService;
import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.Resources;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns resources into their API views. */
final class Views {
    static final List<String> VOLUME_ACTIONS = List.of("attach", "detach", "salvage", "activate", "expand",
            "updateReplicaCount", "updateDataLocality", "replicaRemove", "snapshotCreate", "snapshotList",
            "snapshotGet", "snapshotDelete", "snapshotRevert", "snapshotPurge", "snapshotBackup", "recurringJobAdd",
            "recurringJobList", "recurringJobDelete");

    private Views() {
    }

    static VolumeView volume(ManagerServices s, Links links, Volume v) {
        ResourceStore store = s.context().store();
        Map<String, String> selector = Map.of(Longhorn.LABEL_VOLUME, Resources.name(v));
        return volume(links, v, store.list(Engine.class, selector), store.list(Replica.class, selector));
    }

    /** Views of many volumes, reading engines and replicas once. */
    static List<VolumeView> volumes(ManagerServices s, Links links, List<Volume> volumes) {
        ResourceStore store = s.context().store();
        Map<String, List<Engine>> engines = store.list(Engine.class).stream()
                .collect(java.util.stream.Collectors.groupingBy(e -> e.getSpec().volumeName));
        Map<String, List<Replica>> replicas = store.list(Replica.class).stream()
                .collect(java.util.stream.Collectors.groupingBy(r -> r.getSpec().volumeName));
        return volumes.stream().map(v -> volume(links, v, engines.getOrDefault(Resources.name(v), List.of()),
                replicas.getOrDefault(Resources.name(v), List.of()))).toList();
    }

    static VolumeView volume(Links links, Volume v, List<Engine> engines, List<Replica> replicas) {
        String name = Resources.name(v);
        Map<String, String> modes = engines.isEmpty() ? Map.of() : engines.getFirst().getStatus().replicaModeMap;
        List<ControllerView> controllers = engines.stream().map(Views::controller).toList();
        List<ReplicaView> replicaViews = replicas.stream().map(r -> replica(r, modes.getOrDefault(Resources.name(r), "")))
                .toList();
        List<RebuildView> rebuilds = new ArrayList<>();
        for (Engine e : engines) {
            Map<String, String> nameByAddress = new LinkedHashMap<>();
            e.getStatus().currentReplicaAddressMap.forEach((n, a) -> nameByAddress.put(a, n));
            for (Map.Entry<String, RebuildStatus> r : e.getStatus().rebuildStatus.entrySet()) {
                RebuildStatus rs = r.getValue();
                rebuilds.add(new RebuildView(nameByAddress.getOrDefault(r.getKey(), r.getKey()), rs.fromReplicaAddress,
                        rs.isRebuilding, rs.progress, rs.state, rs.error));
            }
        }
        String endpoint = engines.stream().map(e -> e.getStatus().endpoint).filter(x -> !x.isEmpty()).findFirst().orElse("");
        var spec = v.getSpec();
        var st = v.getStatus();
        String state = Resources.isDeleting(v) ? VolumeState.DELETING : st.state;
        Map<String, String> labels = new LinkedHashMap<>(Resources.labels(v));
        return new VolumeView(name, "volume", links.selfLinks("volumes", name),
                links.actions("volumes", name, VOLUME_ACTIONS), name, Long.toString(spec.size), spec.numberOfReplicas,
                state, st.robustness, spec.frontend, spec.disableFrontend, endpoint, st.currentNodeID, spec.fromBackup,
                spec.dataSource, st.cloneStatus, spec.standby, st.restoreRequired, st.lastRestoredBackup, spec.dataLocality, spec.accessMode,
                spec.staleReplicaTimeout, spec.image, st.currentImage, v.getMetadata().getCreationTimestamp(),
                st.lastBackup, st.lastBackupAt, spec.lastAttachedBy, Long.toString(st.actualSize), st.expansionRequired,
                spec.backupCompressionMethod, spec.dataEngine, spec.diskSelector, spec.nodeSelector,
                conditions(st.conditions), labels, controllers,
                replicaViews, rebuilds);
    }

    static ControllerView controller(Engine e) {
        var st = e.getStatus();
        boolean running = InstanceState.RUNNING.equals(st.currentState);
        return new ControllerView(Resources.name(e), e.getSpec().nodeID, running ? st.ip + ":" + st.port : "", running,
                st.endpoint, Long.toString(st.currentSize), "0", e.getSpec().image, st.currentImage, st.isExpanding,
                st.lastExpansionError, st.lastRestoredBackup, st.instanceManagerName, st.frontendDevice);
    }

    static ReplicaView replica(Replica r, String mode) {
        var st = r.getStatus();
        boolean running = InstanceState.RUNNING.equals(st.currentState);
        return new ReplicaView(Resources.name(r), r.getSpec().nodeID, running ? "tcp://" + st.ip + ":" + st.port : "",
                running, mode, r.getSpec().failedAt, r.getSpec().diskID, r.getSpec().diskPath,
                r.getSpec().dataDirectoryName.isEmpty() ? "" : ReplicaController.directory(r.getSpec()), r.getSpec().image,
                st.currentImage, st.instanceManagerName);
    }

    static Map<String, Condition> conditions(List<Condition> list) {
        Map<String, Condition> map = new LinkedHashMap<>();
        list.forEach(c -> map.put(c.type, c));
        return map;
    }

    static NodeView node(Links links, Node n) {
        String name = Resources.name(n);
        Map<String, DiskView> disks = new LinkedHashMap<>();
        for (Map.Entry<String, DiskSpec> e : n.getSpec().disks.entrySet()) {
            DiskSpec d = e.getValue();
            DiskStatus ds = n.getStatus().diskStatus.getOrDefault(e.getKey(), new DiskStatus());
            disks.put(e.getKey(), new DiskView(d.path, d.diskType, d.allowScheduling, d.evictionRequested,
                    d.storageReserved, ds.storageMaximum, ds.storageAvailable, ds.storageScheduled, ds.diskUUID, d.tags,
                    ds.scheduledReplica, conditions(ds.conditions)));
        }
        return new NodeView(name, "node", links.selfLinks("nodes", name), links.actions("nodes", name,
                List.of("diskUpdate")), name, n.getSpec().allowScheduling, n.getSpec().tags, n.getStatus().region,
                n.getStatus().zone, conditions(n.getStatus().conditions), disks);
    }

    static SettingView setting(Links links, SettingService.SettingValue s) {
        var d = s.definition();
        return new SettingView(d.name(), "setting", links.selfLinks("settings", d.name()), d.name(), s.value(),
                new SettingView.Definition(d.displayName(), d.description(), d.category(), d.type().name().toLowerCase(),
                        false, false, d.defaultValue(), d.options()));
    }

    static BackupTargetView backupTarget(Links links, BackupTarget bt) {
        String name = Resources.name(bt);
        String message = bt.getStatus().conditions.stream()
                .filter(c -> BackupTargetStatus.CONDITION_UNAVAILABLE.equals(c.type) && c.isTrue())
                .map(c -> c.message).findFirst().orElse("");
        return new BackupTargetView(name, "backupTarget", links.selfLinks("backuptargets", name),
                links.actions("backuptargets", name, List.of("backupTargetUpdate")), name, bt.getSpec().backupTargetURL,
                bt.getSpec().credentialSecret, bt.getSpec().pollInterval, bt.getStatus().available, pending(bt), message,
                bt.getStatus().lastSyncedAt, conditions(bt.getStatus().conditions));
    }

    private static boolean pending(BackupTarget bt) {
        Long generation = bt.getMetadata().getGeneration();
        return generation != null && generation > bt.getStatus().observedGeneration;
    }

    static BackupVolumeView backupVolume(Links links, BackupVolume bv) {
        String name = Resources.name(bv);
        var st = bv.getStatus();
        return new BackupVolumeView(name, "backupVolume", links.selfLinks("backupvolumes", name),
                links.actions("backupvolumes", name, List.of("backupList", "backupGet", "backupDelete")), name,
                bv.getSpec().volumeName, bv.getSpec().backupTargetName, Long.toString(st.size), st.createdAt,
                st.lastBackupName, st.lastBackupAt, Long.toString(st.dataStored), st.labels, st.lastSyncedAt);
    }

    static BackupView backup(Backup b) {
        var st = b.getStatus();
        // A backup this manager was asked for is in progress from the request on (its job starts at
        // the controller's next look); one with no state and no request is only being read from the target.
        String state = !st.state.isEmpty() ? st.state
                : b.getSpec().snapshotName.isEmpty() ? BackupState.PENDING : BackupState.IN_PROGRESS;
        Map<String, String> labels = st.labels.isEmpty() ? b.getSpec().labels : st.labels;
        String snapshot = st.snapshotName.isEmpty() ? b.getSpec().snapshotName : st.snapshotName;
        String volume = st.volumeName.isEmpty() ? Resources.labels(b).getOrDefault(Longhorn.LABEL_BACKUP_VOLUME, "")
                : st.volumeName;
        return new BackupView(Resources.name(b), "backup", Resources.name(b), state, st.progress, st.url, snapshot,
                st.snapshotCreatedAt, st.backupCreatedAt, Long.toString(st.size), labels, volume,
                Long.toString(st.volumeSize), st.error, st.compressionMethod, Long.toString(st.newlyUploadDataSize));
    }

    static RecurringJobView recurringJob(Links links, RecurringJob j) {
        String name = Resources.name(j);
        var sp = j.getSpec();
        return new RecurringJobView(name, "recurringJob", links.selfLinks("recurringjobs", name), name, sp.task, sp.cron,
                sp.retain, sp.concurrency, sp.groups, sp.labels, j.getStatus().executionCount, j.getStatus().lastRunAt,
                j.getStatus().lastError, j.getStatus().history);
    }

    static EventView event(ManagerEvent e) {
        return new EventView(e.id(), "event", e.eventType(), e.reason(), e.message(),
                Map.of("kind", e.kind(), "name", e.name(), "namespace", Longhorn.NAMESPACE), e.firstTimestamp(),
                e.lastTimestamp(), e.count());
    }

    static EngineImageView engineImage(Links links, EngineImage ei, long refCount) {
        String name = Resources.name(ei);
        return new EngineImageView(name, "engineImage", links.selfLinks("engineimages", name), name, ei.getSpec().image,
                ei.getStatus().state, (int) refCount, ei.getStatus().incompatible, ei.getStatus().version, true);
    }
}
