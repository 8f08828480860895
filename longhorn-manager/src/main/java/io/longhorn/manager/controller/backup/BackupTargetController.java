package io.longhorn.manager.controller.backup;

import io.longhorn.api.backup.BackupInfo;
import io.longhorn.api.backup.BackupVolumeInfo;
import io.longhorn.api.backup.Target;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Writes;
import io.longhorn.manager.controller.runtime.Reconciler;
import io.longhorn.manager.controller.runtime.Result;
import io.longhorn.manager.model.Backup;
import io.longhorn.manager.model.BackupState;
import io.longhorn.manager.model.BackupTarget;
import io.longhorn.manager.model.BackupTargetStatus;
import io.longhorn.manager.model.BackupVolume;
import io.longhorn.manager.model.Condition;
import io.longhorn.manager.model.Conditions;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.store.AlreadyExistsException;
import io.longhorn.manager.store.Resources;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Polls a backup target through the backup service and mirrors what it holds: one BackupVolume per
 * volume with backups and one Backup per backup. Mirrors of things gone from the target are removed
 * (never the other way round: only explicit deletes remove data from the target).
 */
public final class BackupTargetController implements Reconciler {
    public static final String NAME = "backuptarget";

    private final ControllerContext ctx;

    public BackupTargetController(ControllerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> keys() {
        return ctx.store().list(BackupTarget.class).stream().map(Resources::name).toList();
    }

    @Override
    public Result reconcile(String name) {
        Optional<BackupTarget> found = ctx.store().get(BackupTarget.class, name);
        if (found.isEmpty()) {
            return Result.DONE;
        }
        BackupTarget bt = found.get();
        BackupTarget copy = Resources.copy(bt);
        BackupTargetStatus status = copy.getStatus();
        status.ownerID = ctx.nodeID();
        Long generation = bt.getMetadata().getGeneration();
        status.observedGeneration = generation == null ? 0 : generation;
        Optional<Target> target = Targets.of(ctx, name);
        if (target.isEmpty()) {
            status.available = false;
            Conditions.set(status.conditions, BackupTargetStatus.CONDITION_UNAVAILABLE, Condition.TRUE, "NoURL",
                    "backup target " + name + " has no URL");
            removeMirrors(name, Set.of());
            Writes.updateStatusIfChanged(ctx.store(), bt, copy);
            return Result.DONE;
        }
        try {
            var list = ctx.backups().client().listBackupVolumes(target.get(), "");
            ctx.ioRates().recordBackupServiceAuthRefusals(list.getAuthRefusals());
            List<BackupVolumeInfo> volumes = list.getVolumesList();
            Set<String> seen = new HashSet<>();
            for (BackupVolumeInfo v : volumes) {
                seen.add(v.getName());
                mirror(name, target.get(), v);
            }
            removeMirrors(name, seen);
            status.available = true;
            status.lastSyncedAt = ctx.now();
            Conditions.set(status.conditions, BackupTargetStatus.CONDITION_UNAVAILABLE, Condition.FALSE, "", "");
        } catch (ServiceCallException e) {
            status.available = false;
            Conditions.set(status.conditions, BackupTargetStatus.CONDITION_UNAVAILABLE, Condition.TRUE, "Unavailable",
                    e.getMessage());
        }
        Writes.updateStatusIfChanged(ctx.store(), bt, copy);
        return Result.after(pollInterval(bt));
    }

    private void mirror(String targetName, Target target, BackupVolumeInfo v) {
        BackupVolume bv = ctx.store().get(BackupVolume.class, v.getName()).orElse(null);
        if (bv == null) {
            BackupVolume fresh = Resources.create(BackupVolume.class, v.getName());
            fresh.getSpec().volumeName = v.getName();
            fresh.getSpec().backupTargetName = targetName;
            Resources.labels(fresh).put(Longhorn.LABEL_BACKUP_VOLUME, v.getName());
            try {
                bv = ctx.store().create(fresh);
            } catch (AlreadyExistsException e) {
                bv = ctx.store().get(BackupVolume.class, v.getName()).orElseThrow();
            }
        }
        BackupVolume copy = Resources.copy(bv);
        var s = copy.getStatus();
        s.size = v.getSize();
        s.createdAt = v.getCreated();
        s.lastBackupName = v.getLastBackupName();
        s.lastBackupAt = v.getLastBackupAt();
        s.labels = new java.util.LinkedHashMap<>(v.getLabelsMap());
        s.dataStored = v.getBlockCount() * 2L * 1024 * 1024;
        s.lastModificationTime = v.getLastBackupAt();
        s.ownerID = ctx.nodeID();
        Writes.updateStatusIfChanged(ctx.store(), bv, copy);
        Set<String> names = new HashSet<>();
        for (BackupInfo b : v.getBackupsList()) {
            names.add(b.getName());
            mirrorBackup(target, v.getName(), b);
        }
        for (Backup b : ctx.store().list(Backup.class, Map.of(Longhorn.LABEL_BACKUP_VOLUME, v.getName()))) {
            if (!names.contains(Resources.name(b)) && BackupState.COMPLETED.equals(b.getStatus().state)) {
                ctx.store().delete(Backup.class, Resources.name(b));
            }
        }
    }

    private void mirrorBackup(Target target, String volume, BackupInfo info) {
        Backup b = ctx.store().get(Backup.class, info.getName()).orElse(null);
        if (b == null) {
            Backup fresh = Resources.create(Backup.class, info.getName());
            Resources.labels(fresh).put(Longhorn.LABEL_BACKUP_VOLUME, volume);
            fresh.getSpec().labels.putAll(info.getLabelsMap());
            try {
                b = ctx.store().create(fresh);
            } catch (AlreadyExistsException e) {
                return;
            }
        } else if (!b.getStatus().state.isEmpty() && !BackupState.COMPLETED.equals(b.getStatus().state)
                && !BackupState.ERROR.equals(b.getStatus().state)) {
            return; // the backup controller owns a running backup's status
        }
        Backup copy = Resources.copy(b);
        BackupStatusMapper.fill(copy.getStatus(), info, target.getUrl(), volume);
        copy.getStatus().lastSyncedAt = ctx.now();
        if (!sameIgnoringSync(b, copy)) {
            ctx.store().updateStatus(copy);
        }
    }

    private static boolean sameIgnoringSync(Backup a, Backup b) {
        String saved = b.getStatus().lastSyncedAt;
        b.getStatus().lastSyncedAt = a.getStatus().lastSyncedAt;
        boolean same = Resources.JSON.valueToTree(a.getStatus()).equals(Resources.JSON.valueToTree(b.getStatus()));
        b.getStatus().lastSyncedAt = saved;
        return same;
    }

    private void removeMirrors(String targetName, Set<String> keep) {
        for (BackupVolume bv : ctx.store().list(BackupVolume.class)) {
            if (targetName.equals(bv.getSpec().backupTargetName) && !keep.contains(Resources.name(bv))) {
                boolean others = false;
                for (Backup b : ctx.store().list(Backup.class, Map.of(Longhorn.LABEL_BACKUP_VOLUME, Resources.name(bv)))) {
                    if (BackupState.COMPLETED.equals(b.getStatus().state)) {
                        ctx.store().delete(Backup.class, Resources.name(b));
                    } else {
                        others = true;
                    }
                }
                // A backup volume whose first backup still runs (or failed) is not in the target yet:
                // it stays, so that its backups are listed with their state and error.
                if (!others) {
                    ctx.store().delete(BackupVolume.class, Resources.name(bv));
                }
            }
        }
    }

    /** The target's poll interval (a Go duration such as {@code 5m0s} or {@code 300s}); 0 polls only on request. */
    static Duration pollInterval(BackupTarget bt) {
        Duration d = GoDuration.parse(bt.getSpec().pollInterval).orElse(Duration.ofMinutes(5));
        return d.isZero() ? Duration.ofHours(24) : d;
    }
}
