package io.longhorn.manager.controller.volume;

import io.longhorn.api.backup.Job;
import io.longhorn.api.backup.JobState;
import io.longhorn.api.backup.RestoreRequest;
import io.longhorn.api.backup.Target;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.backup.BackupUrls;
import io.longhorn.manager.controller.backup.Targets;
import io.longhorn.manager.controller.runtime.Result;
import io.longhorn.manager.model.BackupVolume;
import io.longhorn.manager.model.Condition;
import io.longhorn.manager.model.Conditions;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.VolumeStatus;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.Resources;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Restores a volume created from a backup: with its replicas running (and no engine), asks the
 * backup service to write the backup into them. A DR (standby) volume keeps following its backup
 * volume: each newer backup is restored incrementally on top of the last one. Activation restores
 * what is newer one last time and ends the standby. A restore that failed before writing anything
 * is tried again; one that failed after it had begun writing faults the volume (no silent retry onto
 * partial data, and no overwrite the user did not ask for).
 */
final class RestoreStep {
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration FOLLOW = Duration.ofSeconds(10);
    private static final Duration RETRY = Duration.ofSeconds(15);

    private final ControllerContext ctx;

    RestoreStep(ControllerContext ctx) {
        this.ctx = ctx;
    }

    /** Decides whether the volume restores now (its replicas then run without an engine). */
    void prepare(VolumeWork w) {
        VolumeStatus status = w.volume.getStatus();
        if (!w.volume.getSpec().fromBackup.isEmpty() && status.lastRestoredBackup.isEmpty() && !status.restoreInitiated) {
            status.restoreRequired = true;
        }
        w.restoring = !w.volume.getSpec().fromBackup.isEmpty() && w.volume.getStatus().restoreRequired;
    }

    Result run(VolumeWork w) {
        if (!w.restoring) {
            return Result.DONE;
        }
        VolumeStatus status = w.volume.getStatus();
        status.isStandby = w.volume.getSpec().standby;
        List<Replica> healthy = w.healthy();
        if (healthy.isEmpty() || !healthy.stream().allMatch(VolumeWork::running)) {
            return Result.after(POLL);
        }
        return status.restoreJobID.isEmpty() ? start(w, healthy) : follow(w);
    }

    private Result start(VolumeWork w, List<Replica> replicas) {
        VolumeStatus status = w.volume.getStatus();
        Optional<String> wanted = wantedBackup(w);
        String lastName = BackupUrls.parse(status.lastRestoredBackup).map(BackupUrls.BackupUrl::backupName).orElse("");
        if (wanted.isEmpty() || BackupUrls.parse(wanted.get()).map(b -> b.backupName().equals(lastName)).orElse(false)) {
            if (!w.volume.getSpec().standby && !status.lastRestoredBackup.isEmpty()) {
                finish(w);
                return Result.DONE;
            }
            return Result.after(FOLLOW);
        }
        Optional<Target> target = Targets.of(ctx, w.volume.getSpec().backupTargetName);
        if (target.isEmpty()) {
            Conditions.set(status.conditions, VolumeStatus.CONDITION_RESTORE, Condition.FALSE, "RestoreFailure",
                    "backup target " + w.volume.getSpec().backupTargetName + " has no URL");
            return Result.after(RETRY);
        }
        RestoreRequest.Builder req = RestoreRequest.newBuilder().setTarget(target.get()).setBackupUrl(wanted.get())
                .setLastRestoredBackup(lastName)
                .setConcurrency((int) ctx.settings().integer(SettingNames.RESTORE_CONCURRENT_LIMIT));
        replicas.forEach(r -> req.addReplicaAddresses(r.getStatus().ip + ":" + r.getStatus().port));
        try {
            Job job = ctx.backups().client().restore(req.build());
            status.restoreJobID = job.getId();
            status.restoreInitiated = true;
            status.restoreProgress = 0;
            Conditions.set(status.conditions, VolumeStatus.CONDITION_RESTORE, Condition.TRUE, "RestoreInProgress",
                    "restoring " + wanted.get());
            ctx.events().normal("Volume", w.name(), "RestoreStarted", "volume " + w.name() + " restores " + wanted.get()
                    + (lastName.isEmpty() ? "" : " incrementally on top of " + lastName));
            return Result.after(POLL);
        } catch (ServiceCallException e) {
            Conditions.set(status.conditions, VolumeStatus.CONDITION_RESTORE, Condition.FALSE, "RestoreFailure",
                    e.getMessage());
            return Result.after(RETRY);
        }
    }

    private Result follow(VolumeWork w) {
        VolumeStatus status = w.volume.getStatus();
        Job job;
        try {
            job = ctx.backups().client().getJob(status.restoreJobID);
        } catch (ServiceCallException e) {
            if (e.notFound()) {
                // The backup service restarted and forgot the job: start over.
                status.restoreJobID = "";
                return Result.after(POLL);
            }
            throw e;
        }
        if (job.getState() == JobState.COMPLETED) {
            status.restoreJobID = "";
            status.restoreProgress = 100;
            status.lastRestoredBackup = restoredUrl(w, job);
            ctx.events().normal("Volume", w.name(), "Restored", "volume " + w.name() + " restored "
                    + status.lastRestoredBackup);
            if (!w.volume.getSpec().standby) {
                finish(w);
                return Result.DONE;
            }
            Conditions.set(status.conditions, VolumeStatus.CONDITION_RESTORE, Condition.TRUE, "RestoreCompleted",
                    "standby volume is up to date with " + status.lastRestoredBackup);
            return Result.after(FOLLOW);
        }
        if (job.getState() == JobState.FAILED || job.getState() == JobState.CANCELLED) {
            status.restoreJobID = "";
            if (job.getTargetIncomplete()) {
                fault(w, job);
                return Result.DONE;
            }
            // Nothing was written: the replicas are as they were, and the same restore may run again.
            Conditions.set(status.conditions, VolumeStatus.CONDITION_RESTORE, Condition.FALSE, "RestoreFailure",
                    job.getError());
            ctx.events().warning("Volume", w.name(), "RestoreFailed", "restore of volume " + w.name() + " failed: "
                    + job.getError() + "; nothing was written, it is tried again");
            return Result.after(RETRY);
        }
        status.restoreProgress = job.getProgress();
        return Result.after(POLL);
    }

    /**
     * The restore failed after it had begun writing: the replicas hold partial content (the backup
     * service marked each failed in its volume.meta, so no engine will serve it). As Longhorn does,
     * the volume is not restored again behind the user's back: its replicas are marked failed, which
     * makes it faulted, and its Restore condition says why. Auto-salvage leaves them alone, since they
     * never were healthy.
     */
    private void fault(VolumeWork w, Job job) {
        VolumeStatus status = w.volume.getStatus();
        status.restoreRequired = false;
        w.restoring = false;
        for (Replica r : w.healthy()) {
            Replica copy = Resources.copy(r);
            copy.getSpec().failedAt = ctx.now();
            copy.getSpec().lastFailedAt = copy.getSpec().failedAt;
            copy.getSpec().desireState = InstanceState.STOPPED;
            w.put(ctx.store().update(copy));
        }
        String why = "restore of " + (job.getBackupUrl().isEmpty() ? w.volume.getSpec().fromBackup : job.getBackupUrl())
                + " failed after it had begun writing; the replicas hold partial data and are marked failed: "
                + job.getError();
        Conditions.set(status.conditions, VolumeStatus.CONDITION_RESTORE, Condition.FALSE, "RestoreFailure", why);
        ctx.events().warning("Volume", w.name(), "RestoreFailed", "volume " + w.name() + " is faulted: " + why);
    }

    private static String restoredUrl(VolumeWork w, Job job) {
        if (!job.getBackupUrl().isEmpty()) {
            return job.getBackupUrl();
        }
        var from = BackupUrls.parse(w.volume.getSpec().fromBackup);
        return from.map(f -> BackupUrls.of(f.targetUrl(), job.getBackupName(), f.volumeName()))
                .orElse(w.volume.getSpec().fromBackup);
    }

    /** The backup to restore: the requested one first; for a DR volume afterwards, its backup volume's latest. */
    private Optional<String> wantedBackup(VolumeWork w) {
        String from = w.volume.getSpec().fromBackup;
        VolumeStatus status = w.volume.getStatus();
        if (status.lastRestoredBackup.isEmpty()) {
            return Optional.of(from);
        }
        var parsed = BackupUrls.parse(from);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        return ctx.store().get(BackupVolume.class, parsed.get().volumeName())
                .map(bv -> bv.getStatus().lastBackupName)
                .filter(n -> !n.isEmpty())
                .map(n -> BackupUrls.of(parsed.get().targetUrl(), n, parsed.get().volumeName()));
    }

    private void finish(VolumeWork w) {
        VolumeStatus status = w.volume.getStatus();
        status.restoreRequired = false;
        status.isStandby = false;
        w.restoring = false;
        Conditions.set(status.conditions, VolumeStatus.CONDITION_RESTORE, Condition.FALSE, "RestoreCompleted",
                "restored " + status.lastRestoredBackup);
        ctx.events().normal("Volume", w.name(), "RestoreCompleted", "volume " + w.name() + " is ready: restored "
                + status.lastRestoredBackup);
    }
}
