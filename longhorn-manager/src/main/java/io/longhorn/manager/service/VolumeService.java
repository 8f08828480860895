package io.longhorn.manager.service;

import io.longhorn.api.backup.BackupInfo;
import io.longhorn.api.backup.Target;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.backup.BackupUrls;
import io.longhorn.manager.controller.backup.Targets;
import io.longhorn.manager.controller.snapshot.SnapshotNames;
import io.longhorn.manager.controller.volume.CloneStep;
import io.longhorn.manager.controller.volume.DataSource;
import io.longhorn.manager.controller.volume.VolumeController;
import io.longhorn.manager.model.Backup;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.model.VolumeRobustness;
import io.longhorn.manager.model.VolumeSpec;
import io.longhorn.manager.model.VolumeState;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.AlreadyExistsException;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.Retry;
import java.util.List;
import java.util.Optional;

/** Volume lifecycle requests: create, attach, detach, delete, expand, replica count, salvage, activate. */
public final class VolumeService {
    /** blockdev: /dev/longhorn/<volume> on the node; nbd: the engine's NBD export itself. */
    private static final List<String> FRONTENDS = List.of("blockdev", "nbd");
    private static final List<String> DATA_LOCALITIES = List.of("disabled", "best-effort", "strict-local");
    private static final List<String> COMPRESSIONS = List.of("", "lz4", "gzip", "none");

    private final ControllerContext ctx;
    private volatile VolumeController volumeController;

    public VolumeService(ControllerContext ctx, VolumeController volumeController) {
        this.ctx = ctx;
        this.volumeController = volumeController;
    }

    /** Connects the volume controller (built after the services that the recurring jobs use). */
    public void attachController(VolumeController controller) {
        this.volumeController = controller;
    }

    public List<Volume> list() {
        return ctx.store().list(Volume.class);
    }

    public Volume get(String name) {
        return ctx.store().get(Volume.class, name)
                .orElseThrow(() -> new NotFoundException("volume " + name + " not found"));
    }

    public Volume create(VolumeCreate req) {
        String name = Validation.volumeName("name", req.name());
        Volume v = Resources.create(Volume.class, name);
        VolumeSpec spec = v.getSpec();
        spec.numberOfReplicas = req.numberOfReplicas() == null
                ? (int) ctx.settings().integer(SettingNames.DEFAULT_REPLICA_COUNT)
                : Validation.replicaCount("numberOfReplicas", req.numberOfReplicas());
        spec.frontend = req.frontend() == null || req.frontend().isEmpty() ? "blockdev" : frontend(req.frontend());
        spec.dataLocality = req.dataLocality() == null || req.dataLocality().isEmpty()
                ? ctx.settings().get(SettingNames.DEFAULT_DATA_LOCALITY)
                : Validation.oneOf("dataLocality", req.dataLocality(), DATA_LOCALITIES);
        if (req.accessMode() != null && !req.accessMode().isEmpty() && !req.accessMode().equals("rwo")) {
            throw new InvalidInputException("accessMode", "invalid accessMode \"" + req.accessMode()
                    + "\": only rwo is supported");
        }
        if (req.staleReplicaTimeout() != null) {
            if (req.staleReplicaTimeout() < 0) {
                throw new InvalidInputException("staleReplicaTimeout", "staleReplicaTimeout must not be negative");
            }
            spec.staleReplicaTimeout = req.staleReplicaTimeout();
        }
        if (req.backupCompressionMethod() != null) {
            spec.backupCompressionMethod = Validation.oneOf("backupCompressionMethod", req.backupCompressionMethod(),
                    COMPRESSIONS);
        }
        if (req.backupTargetName() != null && !req.backupTargetName().isEmpty()) {
            spec.backupTargetName = req.backupTargetName();
        }
        if (req.diskSelector() != null) {
            spec.diskSelector = new java.util.ArrayList<>(Validation.tags("diskSelector", req.diskSelector()));
        }
        if (req.nodeSelector() != null) {
            spec.nodeSelector = new java.util.ArrayList<>(Validation.tags("nodeSelector", req.nodeSelector()));
        }
        boolean standby = Boolean.TRUE.equals(req.standby());
        String fromBackup = req.fromBackup() == null ? "" : req.fromBackup().trim();
        if (standby && fromBackup.isEmpty()) {
            throw new InvalidInputException("standby", "a standby (DR) volume needs fromBackup");
        }
        String dataSource = req.dataSource() == null ? "" : req.dataSource().trim();
        if (!dataSource.isEmpty() && !fromBackup.isEmpty()) {
            throw new InvalidInputException("dataSource", "give either dataSource or fromBackup, not both");
        }
        Long sourceSize = dataSource.isEmpty() ? null : dataSourceSize(dataSource);
        Long backupSize = fromBackup.isEmpty() ? null : backupVolumeSize(fromBackup, spec.backupTargetName);
        if (sourceSize != null) {
            if (req.size() != null && !req.size().isBlank() && Validation.size("size", req.size()) != sourceSize) {
                throw new InvalidInputException("size", "size " + Validation.size("size", req.size())
                        + " differs from the size of dataSource " + dataSource + ", " + sourceSize
                        + " bytes: a volume made from another has its size");
            }
            spec.size = sourceSize;
        } else if (req.size() == null || req.size().isBlank()) {
            if (backupSize == null) {
                throw new InvalidInputException("size", "size is required");
            }
            spec.size = Validation.size("size", Long.toString(backupSize));
        } else {
            spec.size = Validation.size("size", req.size());
            if (backupSize != null && spec.size < backupSize) {
                throw new InvalidInputException("size", "size " + spec.size + " is smaller than the backup's volume size "
                        + backupSize);
            }
        }
        spec.fromBackup = fromBackup;
        spec.dataSource = dataSource;
        spec.standby = standby;
        if (ctx.store().get(Volume.class, name).isPresent()) {
            throw new ConflictStateException("NotUnique", "volume " + name + " already exists");
        }
        try {
            Volume created = ctx.store().create(v);
            ctx.events().normal("Volume", name, "Created", "volume " + name + " created: " + spec.size + " bytes, "
                    + spec.numberOfReplicas + " replicas" + (fromBackup.isEmpty() ? "" : ", from " + fromBackup)
                    + (dataSource.isEmpty() ? "" : ", from " + dataSource));
            return created;
        } catch (AlreadyExistsException e) {
            throw new ConflictStateException("NotUnique", "volume " + name + " already exists");
        }
    }

    private static String frontend(String f) {
        if (f.equals("iscsi") || f.equals("nvmf") || f.equals("ublk")) {
            throw new InvalidInputException("frontend", "frontend " + f
                    + " is not supported: use blockdev (the block device /dev/longhorn/<volume>) or nbd (the NBD export)");
        }
        return Validation.oneOf("frontend", f, FRONTENDS);
    }

    /**
     * The size of a dataSource's volume, once the source is checked: it exists, is not being deleted,
     * is not itself still being filled, and holds the snapshot a {@code snap://} source names.
     */
    private long dataSourceSize(String text) {
        DataSource source;
        try {
            source = DataSource.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("dataSource", "invalid dataSource \"" + text + "\": " + e.getMessage());
        }
        Volume v = ctx.store().get(Volume.class, source.volume()).orElseThrow(() -> new InvalidInputException(
                "dataSource", "invalid dataSource " + text + ": volume " + source.volume() + " not found"));
        if (Resources.isDeleting(v)) {
            throw new InvalidInputException("dataSource", "invalid dataSource " + text + ": volume " + source.volume()
                    + " is being deleted");
        }
        if (CloneStep.filling(v) || v.getSpec().standby || !v.getSpec().fromBackup.isEmpty()
                && v.getStatus().lastRestoredBackup.isEmpty()) {
            throw new InvalidInputException("dataSource", "invalid dataSource " + text + ": volume " + source.volume()
                    + " is still being filled (restore or copy): try again when it is done");
        }
        if (source.snapshot() != null && !snapshotExists(source.volume(), source.snapshot())) {
            throw new InvalidInputException("dataSource", "invalid dataSource " + text + ": snapshot "
                    + source.snapshot() + " of volume " + source.volume() + " not found");
        }
        return v.getSpec().size;
    }

    /**
     * Whether the volume has the snapshot (not marked removed): its running engine is asked; a
     * detached volume's Snapshot resources keep what its engine last reported.
     */
    private boolean snapshotExists(String volume, String snapshot) {
        for (Engine e : ctx.store().list(Engine.class, java.util.Map.of(Longhorn.LABEL_VOLUME, volume))) {
            if (io.longhorn.manager.model.InstanceState.RUNNING.equals(e.getStatus().currentState)
                    && e.getStatus().port > 0) {
                try {
                    return ctx.engines().forAddress(e.getStatus().ip + ":" + e.getStatus().port).snapshotList()
                            .getSnapshotsList().stream().anyMatch(s -> s.getName().equals(snapshot) && !s.getRemoved());
                } catch (ServiceCallException ex) {
                    throw new UnavailableException("cannot list the snapshots of volume " + volume + ": "
                            + ex.getMessage(), ex);
                }
            }
        }
        return ctx.store().get(io.longhorn.manager.model.Snapshot.class, SnapshotNames.resourceName(volume, snapshot))
                .filter(s -> !Resources.isDeleting(s) && !s.getStatus().markRemoved && s.getStatus().readyToUse)
                .isPresent();
    }

    /** The size of the volume a backup was taken of, from the mirrored Backup or the target itself. */
    private long backupVolumeSize(String url, String targetName) {
        var parsed = BackupUrls.parse(url).orElseThrow(() -> new InvalidInputException("fromBackup",
                "invalid fromBackup \"" + url + "\": expected <target url>?backup=<name>&volume=<volume>"));
        Optional<Backup> mirrored = ctx.store().get(Backup.class, parsed.backupName());
        if (mirrored.isPresent() && mirrored.get().getStatus().volumeSize > 0) {
            return mirrored.get().getStatus().volumeSize;
        }
        Target target = Targets.of(ctx, targetName).orElseThrow(() -> new InvalidInputException("fromBackup",
                "backup target " + targetName + " has no URL"));
        try {
            BackupInfo info = ctx.backups().client().inspectBackup(target, url);
            return info.getVolumeSize();
        } catch (ServiceCallException e) {
            if (e.notFound() || e.invalidArgument()) {
                throw new InvalidInputException("fromBackup", "backup " + url + " not found: " + e.getMessage());
            }
            throw new UnavailableException("cannot read backup " + url + ": " + e.getMessage(), e);
        }
    }

    public Volume attach(String name, String hostId, Boolean disableFrontend, String attachedBy) {
        String node = hostId == null || hostId.isEmpty() ? ctx.nodeID() : hostId;
        if (ctx.store().get(Node.class, node).isEmpty()) {
            throw new InvalidInputException("hostId", "node " + node + " not found");
        }
        Volume v = get(name);
        requireNotDeleting(v);
        boolean restoring = v.getStatus().restoreRequired
                || (!v.getSpec().fromBackup.isEmpty() && v.getStatus().lastRestoredBackup.isEmpty());
        if (CloneStep.filling(v)) {
            throw new ConflictStateException("volume " + name + " is being filled from " + v.getSpec().dataSource
                    + " and cannot be attached until the copy completed");
        }
        if (v.getSpec().standby || restoring) {
            throw new ConflictStateException("volume " + name + " is " + (v.getSpec().standby
                    ? "a standby (DR) volume: activate it first" : "restoring from a backup") + " and cannot be attached");
        }
        String current = v.getSpec().nodeID;
        if (!current.isEmpty() && !current.equals(node)) {
            throw new ConflictStateException("volume " + name + " is attached to node " + current
                    + ", cannot attach it to " + node);
        }
        boolean noFrontend = Boolean.TRUE.equals(disableFrontend);
        if (!current.isEmpty() && v.getSpec().disableFrontend != noFrontend) {
            throw new ConflictStateException("volume " + name + " is attached with disableFrontend="
                    + v.getSpec().disableFrontend + "; detach it first");
        }
        return Retry.update(ctx.store(), Volume.class, name, vol -> {
            boolean changed = !node.equals(vol.getSpec().nodeID) || vol.getSpec().disableFrontend != noFrontend;
            vol.getSpec().nodeID = node;
            vol.getSpec().disableFrontend = noFrontend;
            if (attachedBy != null && !attachedBy.isEmpty()) {
                vol.getSpec().lastAttachedBy = attachedBy;
            }
            return changed;
        });
    }

    public Volume detach(String name, String hostId, boolean force) {
        Volume v = get(name);
        requireNotDeleting(v);
        if (hostId != null && !hostId.isEmpty() && !v.getSpec().nodeID.isEmpty() && !hostId.equals(v.getSpec().nodeID)
                && !force) {
            throw new ConflictStateException("volume " + name + " is attached to node " + v.getSpec().nodeID + ", not "
                    + hostId);
        }
        return Retry.update(ctx.store(), Volume.class, name, vol -> {
            if (vol.getSpec().nodeID.isEmpty()) {
                return false;
            }
            vol.getSpec().nodeID = "";
            vol.getSpec().disableFrontend = false;
            return true;
        });
    }

    /**
     * Deletes a volume. As upstream, an attached volume is detached first (its engine stops, then its
     * replicas) and then deleted. Refused without {@code force} only while data is being written that
     * the deletion would throw away half-done: a restore into the volume, a replica rebuild, or a copy
     * from it into another volume.
     */
    public void delete(String name, boolean force) {
        Volume v = get(name);
        if (Resources.isDeleting(v)) {
            return;
        }
        if (!force) {
            if (!v.getStatus().restoreJobID.isEmpty()) {
                throw new ConflictStateException("volume " + name + " is restoring backup "
                        + (v.getSpec().fromBackup.isEmpty() ? v.getStatus().lastRestoredBackup : v.getSpec().fromBackup)
                        + " (" + v.getStatus().restoreProgress + "%): deleting it now throws away the data restored so far;"
                        + " wait until the restore completes, or delete with force=true");
            }
            Optional<Volume> filling = ctx.store().list(Volume.class).stream().filter(CloneStep::filling)
                    .filter(x -> !Resources.isDeleting(x)).filter(x -> DataSource.sourceVolume(x.getSpec().dataSource).equals(name)).findFirst();
            if (filling.isPresent()) {
                throw new ConflictStateException("volume " + Resources.name(filling.get()) + " is being filled from volume "
                        + name + " (" + filling.get().getSpec().dataSource + "): wait until its copy completes, or"
                        + " delete with force=true");
            }
            Optional<String> rebuilding = rebuildingReplica(name);
            if (rebuilding.isPresent()) {
                throw new ConflictStateException("volume " + name + " is rebuilding replica " + rebuilding.get()
                        + ": deleting it now throws away the rebuild in progress; wait until it completes,"
                        + " or delete with force=true");
            }
        }
        ctx.store().delete(Volume.class, name);
        ctx.events().normal("Volume", name, "Deleting", "volume " + name + " is being deleted"
                + (v.getSpec().nodeID.isEmpty() ? "" : " (detached from node " + v.getSpec().nodeID + " first)"));
    }

    /** A replica of the volume that its running engine is rebuilding (WO), if any. */
    private Optional<String> rebuildingReplica(String volume) {
        for (Engine e : ctx.store().list(Engine.class, java.util.Map.of(Longhorn.LABEL_VOLUME, volume))) {
            for (var m : e.getStatus().replicaModeMap.entrySet()) {
                if ("WO".equals(m.getValue())) {
                    return Optional.of(m.getKey());
                }
            }
            for (var r : e.getStatus().rebuildStatus.entrySet()) {
                if (r.getValue().isRebuilding) {
                    return Optional.of(r.getKey());
                }
            }
        }
        return Optional.empty();
    }

    public Volume expand(String name, String size) {
        long bytes = Validation.size("size", size);
        Volume v = get(name);
        requireNotDeleting(v);
        if (v.getSpec().standby) {
            throw new ConflictStateException("volume " + name + " is a standby (DR) volume and cannot be expanded");
        }
        if (bytes < v.getSpec().size) {
            throw new InvalidInputException("size", "size " + bytes + " is smaller than the volume's size "
                    + v.getSpec().size + ": volumes cannot shrink");
        }
        return Retry.update(ctx.store(), Volume.class, name, vol -> {
            if (vol.getSpec().size >= bytes) {
                return false;
            }
            vol.getSpec().size = bytes;
            return true;
        });
    }

    public Volume updateReplicaCount(String name, Integer count) {
        if (count == null) {
            throw new InvalidInputException("replicaCount", "replicaCount is required");
        }
        int n = Validation.replicaCount("replicaCount", count);
        requireNotDeleting(get(name));
        return Retry.update(ctx.store(), Volume.class, name, vol -> {
            if (vol.getSpec().numberOfReplicas == n) {
                return false;
            }
            vol.getSpec().numberOfReplicas = n;
            return true;
        });
    }

    public Volume updateDataLocality(String name, String locality) {
        String l = Validation.oneOf("dataLocality", locality == null ? "" : locality, DATA_LOCALITIES);
        requireNotDeleting(get(name));
        return Retry.update(ctx.store(), Volume.class, name, vol -> {
            boolean changed = !vol.getSpec().dataLocality.equals(l);
            vol.getSpec().dataLocality = l;
            return changed;
        });
    }

    public Volume replicaRemove(String name, String replicaName) {
        Volume v = get(name);
        requireNotDeleting(v);
        if (replicaName == null || replicaName.isEmpty()) {
            throw new InvalidInputException("name", "name of the replica to remove is required");
        }
        Replica r = ctx.store().get(Replica.class, replicaName)
                .filter(x -> name.equals(x.getSpec().volumeName))
                .orElseThrow(() -> new NotFoundException("replica " + replicaName + " of volume " + name + " not found"));
        ctx.store().delete(Replica.class, Resources.name(r));
        ctx.events().normal("Volume", name, "ReplicaRemoved", "replica " + replicaName + " of volume " + name
                + " removed by request");
        return get(name);
    }

    public Volume salvage(String name, List<String> replicaNames) {
        Volume v = get(name);
        requireNotDeleting(v);
        if (replicaNames == null || replicaNames.isEmpty()) {
            throw new InvalidInputException("names", "names of the replicas to salvage are required");
        }
        if (!VolumeRobustness.FAULTED.equals(v.getStatus().robustness)) {
            throw new ConflictStateException("volume " + name + " is " + v.getStatus().robustness
                    + ", not faulted: nothing to salvage");
        }
        for (String r : replicaNames) {
            Replica replica = ctx.store().get(Replica.class, r).filter(x -> name.equals(x.getSpec().volumeName))
                    .orElseThrow(() -> new InvalidInputException("names", "replica " + r + " of volume " + name + " not found"));
            if (replica.getSpec().failedAt.isEmpty()) {
                throw new InvalidInputException("names", "replica " + r + " of volume " + name + " has not failed");
            }
        }
        volumeController.salvage(name, replicaNames);
        return get(name);
    }

    public Volume activate(String name, String frontend) {
        Volume v = get(name);
        requireNotDeleting(v);
        if (!v.getSpec().standby) {
            throw new ConflictStateException("volume " + name + " is not a standby (DR) volume");
        }
        String f = frontend == null || frontend.isEmpty() ? "blockdev" : frontend(frontend);
        return Retry.update(ctx.store(), Volume.class, name, vol -> {
            vol.getSpec().standby = false;
            vol.getSpec().frontend = f;
            return true;
        });
    }

    private static void requireNotDeleting(Volume v) {
        if (Resources.isDeleting(v)) {
            throw new ConflictStateException("volume " + Resources.name(v) + " is being deleted");
        }
    }
}
