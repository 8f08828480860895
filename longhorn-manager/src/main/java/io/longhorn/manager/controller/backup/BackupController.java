package io.longhorn.manager.controller.backup;

import io.longhorn.api.backup.CreateBackupRequest;
import io.longhorn.api.backup.Job;
import io.longhorn.api.backup.JobState;
import io.longhorn.api.backup.Target;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Writes;
import io.longhorn.manager.controller.runtime.Reconciler;
import io.longhorn.manager.controller.runtime.Result;
import io.longhorn.manager.model.Backup;
import io.longhorn.manager.model.BackupState;
import io.longhorn.manager.model.BackupStatus;
import io.longhorn.manager.model.BackupTarget;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.Resources;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a new backup: picks an RW replica of the attached volume, asks the backup service to back
 * up the snapshot from it, and follows the job until it completes or fails. Backups found in the
 * target (no snapshot name in the spec) are the target controller's.
 */
public final class BackupController implements Reconciler {
    public static final String NAME = "backup";
    private static final Duration POLL = Duration.ofSeconds(1);

    private final ControllerContext ctx;

    public BackupController(ControllerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> keys() {
        return ctx.store().list(Backup.class).stream().map(Resources::name).toList();
    }

    @Override
    public Result reconcile(String name) {
        Optional<Backup> found = ctx.store().get(Backup.class, name);
        if (found.isEmpty() || found.get().getSpec().snapshotName.isEmpty()) {
            return Result.DONE;
        }
        Backup backup = found.get();
        String state = backup.getStatus().state;
        if (BackupState.COMPLETED.equals(state) || BackupState.ERROR.equals(state)) {
            return Result.DONE;
        }
        Backup copy = Resources.copy(backup);
        Result result = backup.getStatus().jobID.isEmpty() ? start(copy) : follow(copy);
        Writes.updateStatusIfChanged(ctx.store(), backup, copy);
        return result;
    }

    private Result start(Backup backup) {
        BackupStatus s = backup.getStatus();
        String volumeName = Resources.labels(backup).getOrDefault(Longhorn.LABEL_BACKUP_VOLUME, "");
        s.volumeName = volumeName;
        s.snapshotName = backup.getSpec().snapshotName;
        Optional<Volume> volume = ctx.store().get(Volume.class, volumeName);
        if (volume.isEmpty()) {
            return fail(backup, "volume " + volumeName + " not found");
        }
        Optional<String> replica = rwReplica(volumeName);
        if (replica.isEmpty()) {
            return fail(backup, "volume " + volumeName + " is not attached with an RW replica");
        }
        Optional<Target> target = Targets.of(ctx, volume.get().getSpec().backupTargetName);
        if (target.isEmpty()) {
            return fail(backup, "backup target " + volume.get().getSpec().backupTargetName + " has no URL");
        }
        CreateBackupRequest req = CreateBackupRequest.newBuilder()
                .setTarget(target.get())
                .setReplicaAddress(replica.get())
                .setVolumeName(volumeName)
                .setSnapshotName(backup.getSpec().snapshotName)
                .setBackupName(Resources.name(backup))
                .putAllLabels(backup.getSpec().labels)
                .setCompressionMethod(compression(volume.get()))
                .setConcurrency((int) ctx.settings().integer(SettingNames.BACKUP_CONCURRENT_LIMIT))
                .build();
        try {
            Job job = ctx.backups().client().createBackup(req);
            s.jobID = job.getId();
            s.state = BackupState.IN_PROGRESS;
            s.replicaAddress = replica.get();
            s.volumeSize = volume.get().getSpec().size;
            s.labels = new java.util.LinkedHashMap<>(backup.getSpec().labels);
            ctx.events().normal("Backup", Resources.name(backup), "Started", "backup " + Resources.name(backup)
                    + " of snapshot " + s.snapshotName + " of volume " + volumeName + " started");
            return Result.after(POLL);
        } catch (ServiceCallException e) {
            return fail(backup, e.getMessage());
        }
    }

    private String compression(Volume v) {
        String c = v.getSpec().backupCompressionMethod;
        return c.isEmpty() ? ctx.settings().get(SettingNames.BACKUP_COMPRESSION_METHOD) : c;
    }

    private Result follow(Backup backup) {
        BackupStatus s = backup.getStatus();
        Job job;
        try {
            job = ctx.backups().client().getJob(s.jobID);
        } catch (ServiceCallException e) {
            if (e.notFound()) {
                return fail(backup, "the backup service lost job " + s.jobID + " (it restarted)");
            }
            throw e;
        }
        s.progress = job.getProgress();
        if (job.getState() == JobState.COMPLETED) {
            s.state = BackupState.COMPLETED;
            s.progress = 100;
            s.url = job.getBackupUrl();
            s.newlyUploadDataSize = job.getBytesUploaded();
            s.backupCreatedAt = job.getFinished().isEmpty() ? ctx.now() : job.getFinished();
            s.size = job.getBlocksTotal() * 2L * 1024 * 1024;
            s.lastSyncedAt = ctx.now();
            s.jobID = "";
            requestTargetSync(backup);
            ctx.events().normal("Backup", Resources.name(backup), "Completed", "backup " + Resources.name(backup)
                    + " of volume " + s.volumeName + " completed: " + s.url);
            return Result.DONE;
        }
        if (job.getState() == JobState.FAILED || job.getState() == JobState.CANCELLED) {
            s.jobID = "";
            return fail(backup, job.getError().isEmpty() ? "backup job " + job.getState() : job.getError());
        }
        return Result.after(POLL);
    }

    /** Asks the target controller to read the target now, so the backup volume shows the new backup. */
    private void requestTargetSync(Backup backup) {
        String target = ctx.store().get(Volume.class, backup.getStatus().volumeName)
                .map(v -> v.getSpec().backupTargetName).orElse(Targets.DEFAULT);
        ctx.store().get(BackupTarget.class, target).ifPresent(bt -> {
            BackupTarget copy = Resources.copy(bt);
            copy.getSpec().syncRequestedAt = ctx.clock().instant().toString();
            try {
                ctx.store().update(copy);
            } catch (RuntimeException e) {
                // A conflict only means someone else touched it; the periodic sync will catch up.
            }
        });
    }

    private Result fail(Backup backup, String message) {
        BackupStatus s = backup.getStatus();
        s.state = BackupState.ERROR;
        s.error = message;
        ctx.events().warning("Backup", Resources.name(backup), "Failed", "backup " + Resources.name(backup) + " failed: "
                + message);
        return Result.DONE;
    }

    /** The control address (host:port) of a replica the running engine has in RW mode. */
    private Optional<String> rwReplica(String volumeName) {
        Map<String, String> selector = Map.of(Longhorn.LABEL_VOLUME, volumeName);
        Optional<Engine> engine = ctx.store().list(Engine.class, selector).stream()
                .filter(e -> InstanceState.RUNNING.equals(e.getStatus().currentState)).findFirst();
        if (engine.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> modes = engine.get().getStatus().replicaModeMap;
        return ctx.store().list(Replica.class, selector).stream()
                .filter(r -> "RW".equals(modes.get(Resources.name(r))))
                .filter(r -> r.getStatus().port > 0)
                .map(r -> r.getStatus().ip + ":" + r.getStatus().port)
                .findFirst();
    }
}
