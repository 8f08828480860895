package io.longhorn.manager.jobs;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.model.Backup;
import io.longhorn.manager.model.BackupState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.RecurringJob;
import io.longhorn.manager.model.RecurringJobTask;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.model.VolumeState;
import io.longhorn.manager.service.BackupService;
import io.longhorn.manager.service.SnapshotService;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.Retry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Carries out one run of a recurring job: for each volume that joined it (and is attached), the
 * task, then the retention; at most {@code concurrency} volumes at a time. Detached volumes are
 * skipped (they have no engine to snapshot through).
 */
public final class RecurringJobRunner {
    private static final Logger LOG = Logger.getLogger(RecurringJobRunner.class);
    private static final Duration BACKUP_TIMEOUT = Duration.ofHours(6);

    private final ControllerContext ctx;
    private final SnapshotService snapshots;
    private final BackupService backups;

    public RecurringJobRunner(ControllerContext ctx, SnapshotService snapshots, BackupService backups) {
        this.ctx = ctx;
        this.snapshots = snapshots;
        this.backups = backups;
    }

    /** Runs the job now (the schedule calls this; it reads the job afresh, so edits apply at once). */
    public void run(String jobName) {
        RecurringJob job = ctx.store().get(RecurringJob.class, jobName).orElse(null);
        if (job == null || Resources.isDeleting(job)) {
            return;
        }
        List<Volume> volumes = VolumeSelector.select(job, ctx.store().list(Volume.class)).stream()
                .filter(v -> VolumeState.ATTACHED.equals(v.getStatus().state) && !v.getSpec().standby
                        && !v.getStatus().restoreRequired && !Resources.isDeleting(v))
                // Every manager of a cluster fires the job: each runs it for the volumes it owns.
                .filter(v -> v.getStatus().ownerID.isEmpty() || v.getStatus().ownerID.equals(ctx.nodeID()))
                .toList();
        Semaphore slots = new Semaphore(Math.max(1, job.getSpec().concurrency));
        AtomicReference<String> lastError = new AtomicReference<>("");
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Volume v : volumes) {
                pool.submit(() -> {
                    slots.acquireUninterruptibly();
                    try {
                        runFor(job, Resources.name(v));
                    } catch (RuntimeException e) {
                        lastError.set("volume " + Resources.name(v) + ": " + e.getMessage());
                        ctx.events().warning("RecurringJob", jobName, "JobFailed", "recurring job " + jobName + " ("
                                + job.getSpec().task + ") failed for volume " + Resources.name(v) + ": " + e.getMessage());
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        try {
            Retry.updateStatus(ctx.store(), RecurringJob.class, jobName, j -> {
                j.getStatus().executionCount++;
                j.getStatus().lastRunAt = ctx.now();
                j.getStatus().lastError = lastError.get();
                return true;
            });
        } catch (RuntimeException e) {
            LOG.debugf("recurring job %s: cannot record its run: %s", jobName, e.getMessage());
        }
    }

    private void runFor(RecurringJob job, String volume) {
        String task = job.getSpec().task;
        switch (task) {
            case RecurringJobTask.SNAPSHOT, RecurringJobTask.SNAPSHOT_FORCE_CREATE -> {
                snapshot(job, volume);
                retainSnapshots(job, volume, true);
            }
            case RecurringJobTask.SNAPSHOT_DELETE -> {
                retainSnapshots(job, volume, false);
                snapshots.purge(volume);
            }
            case RecurringJobTask.SNAPSHOT_CLEANUP -> snapshots.purge(volume);
            case RecurringJobTask.BACKUP, RecurringJobTask.BACKUP_FORCE_CREATE -> {
                String snap = snapshot(job, volume);
                Backup b = backups.backupSnapshot(volume, snap, labels(job));
                awaitBackup(Resources.name(b));
                retainBackups(job, volume);
                retainSnapshots(job, volume, true);
            }
            default -> throw new IllegalStateException("unknown task " + task);
        }
    }

    private String snapshot(RecurringJob job, String volume) {
        String name = SnapshotService.jobSnapshotName(Resources.name(job));
        return snapshots.create(volume, name, labels(job)).name();
    }

    private static Map<String, String> labels(RecurringJob job) {
        Map<String, String> labels = new LinkedHashMap<>(job.getSpec().labels);
        labels.put(Longhorn.LABEL_RECURRING_JOB, Resources.name(job));
        return labels;
    }

    /** Deletes the oldest snapshots beyond retain: this job's own, or (snapshot-delete) every user snapshot. */
    private void retainSnapshots(RecurringJob job, String volume, boolean ownOnly) {
        List<SnapshotService.SnapshotView> candidates = new ArrayList<>();
        for (SnapshotService.SnapshotView s : snapshots.list(volume)) {
            if (SnapshotService.HEAD.equals(s.name()) || s.removed()) {
                continue;
            }
            boolean own = Resources.name(job).equals(s.labels().get(Longhorn.LABEL_RECURRING_JOB));
            if (ownOnly ? own : s.usercreated()) {
                candidates.add(s);
            }
        }
        for (SnapshotService.SnapshotView s : Retention.toDelete(candidates, job.getSpec().retain,
                SnapshotService.SnapshotView::created)) {
            snapshots.delete(volume, s.name());
        }
    }

    private void retainBackups(RecurringJob job, String volume) {
        List<Backup> own = backups.backups(volume).stream()
                .filter(b -> BackupState.COMPLETED.equals(b.getStatus().state))
                .filter(b -> Resources.name(job).equals(b.getSpec().labels.get(Longhorn.LABEL_RECURRING_JOB))
                        || Resources.name(job).equals(b.getStatus().labels.get(Longhorn.LABEL_RECURRING_JOB)))
                .toList();
        for (Backup b : Retention.toDelete(own, job.getSpec().retain, x -> x.getStatus().backupCreatedAt)) {
            backups.deleteBackup(volume, Resources.name(b));
        }
    }

    private void awaitBackup(String name) {
        Instant deadline = Instant.now().plus(BACKUP_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            Backup b = ctx.store().get(Backup.class, name).orElseThrow(() ->
                    new IllegalStateException("backup " + name + " disappeared"));
            if (BackupState.COMPLETED.equals(b.getStatus().state)) {
                return;
            }
            if (BackupState.ERROR.equals(b.getStatus().state)) {
                throw new IllegalStateException("backup " + name + " failed: " + b.getStatus().error);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for backup " + name);
            }
        }
        throw new IllegalStateException("backup " + name + " did not finish within " + BACKUP_TIMEOUT);
    }
}
