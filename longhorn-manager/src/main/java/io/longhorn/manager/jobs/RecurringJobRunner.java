package io.longhorn.manager.jobs;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.model.Backup;
import io.longhorn.manager.model.BackupState;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.RecurringJob;
import io.longhorn.manager.model.RecurringJobRun;
import io.longhorn.manager.model.RecurringJobTask;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.model.VolumeState;
import io.longhorn.manager.service.BackupService;
import io.longhorn.manager.service.SnapshotService;
import io.longhorn.manager.settings.SettingNames;
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
 * skipped (they have no engine to snapshot through), unless
 * {@code allow-recurring-job-while-volume-detached} is true: then they are attached for the job
 * without a frontend and detached after it. Each run is recorded in the job's history, which keeps
 * as many runs as the two history-limit settings allow.
 */
public final class RecurringJobRunner {
    private static final Logger LOG = Logger.getLogger(RecurringJobRunner.class);
    private static final Duration BACKUP_TIMEOUT = Duration.ofHours(6);
    private static final Duration ATTACH_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration RECORD_TIMEOUT = Duration.ofSeconds(30);
    /** {@code lastAttachedBy} of a volume a recurring job attached. */
    static final String ATTACHED_BY_PREFIX = "recurring-job/";

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
        boolean detachedToo = ctx.settings().bool(SettingNames.ALLOW_RECURRING_JOB_WHILE_VOLUME_DETACHED);
        String startedAt = ctx.now();
        List<Volume> volumes = VolumeSelector.select(job, ctx.store().list(Volume.class)).stream()
                .filter(v -> (VolumeState.ATTACHED.equals(v.getStatus().state) || detachedToo && isDetached(v))
                        && !v.getSpec().standby && !v.getStatus().restoreRequired && !Resources.isDeleting(v))
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
                        if (isDetached(v)) {
                            runAttached(job, Resources.name(v));
                        } else {
                            runFor(job, Resources.name(v));
                        }
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
            RecurringJobRun record = new RecurringJobRun();
            record.startedAt = startedAt;
            record.finishedAt = ctx.now();
            record.state = lastError.get().isEmpty() ? RecurringJobRun.SUCCEEDED : RecurringJobRun.FAILED;
            record.volumes = volumes.stream().map(Resources::name).toList();
            record.error = lastError.get();
            long okLimit = ctx.settings().integer(SettingNames.RECURRING_SUCCESSFUL_JOBS_HISTORY_LIMIT);
            long failedLimit = ctx.settings().integer(SettingNames.RECURRING_FAILED_JOBS_HISTORY_LIMIT);
            Retry.updateStatus(ctx.store(), RecurringJob.class, jobName, j -> {
                j.getStatus().executionCount++;
                j.getStatus().lastRunAt = record.finishedAt;
                j.getStatus().lastError = lastError.get();
                j.getStatus().history = JobHistory.append(j.getStatus().history, record, okLimit, failedLimit);
                return true;
            });
        } catch (RuntimeException e) {
            LOG.debugf("recurring job %s: cannot record its run: %s", jobName, e.getMessage());
        }
    }

    private static boolean isDetached(Volume v) {
        return VolumeState.DETACHED.equals(v.getStatus().state) && v.getSpec().nodeID.isEmpty();
    }

    /**
     * {@code allow-recurring-job-while-volume-detached}: attaches the volume to this node without a
     * frontend (nothing but the job sees it), runs the task, and detaches it again unless someone
     * else attached it meanwhile.
     */
    private void runAttached(RecurringJob job, String volume) {
        String by = ATTACHED_BY_PREFIX + Resources.name(job);
        snapshots.volumes().attach(volume, ctx.nodeID(), true, by);
        ctx.events().normal("Volume", volume, "AutoAttached", "volume " + volume + " attached for recurring job "
                + Resources.name(job) + " (allow-recurring-job-while-volume-detached)");
        try {
            awaitAttached(volume);
            runFor(job, volume);
            awaitSnapshotsRecorded(volume);
        } finally {
            Volume now = ctx.store().get(Volume.class, volume).orElse(null);
            if (now != null && by.equals(now.getSpec().lastAttachedBy) && now.getSpec().disableFrontend
                    && ctx.nodeID().equals(now.getSpec().nodeID)) {
                snapshots.volumes().detach(volume, ctx.nodeID(), false);
                ctx.events().normal("Volume", volume, "AutoDetached", "volume " + volume
                        + " detached after recurring job " + Resources.name(job));
            }
        }
    }

    private void awaitAttached(String volume) {
        Instant deadline = Instant.now().plus(ATTACH_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            Volume v = ctx.store().get(Volume.class, volume).orElseThrow(() ->
                    new IllegalStateException("volume " + volume + " disappeared"));
            if (VolumeState.ATTACHED.equals(v.getStatus().state)) {
                return;
            }
            pause("attaching volume " + volume);
        }
        throw new IllegalStateException("volume " + volume + " did not attach within " + ATTACH_TIMEOUT);
    }

    /**
     * Waits (briefly) until the engine's status holds every snapshot the engine has now, so that the
     * detached volume's snapshot list, kept from that status, shows what the job made.
     */
    private void awaitSnapshotsRecorded(String volume) {
        List<String> names = snapshots.list(volume).stream().map(SnapshotService.SnapshotView::name)
                .filter(n -> !SnapshotService.HEAD.equals(n)).toList();
        Instant deadline = Instant.now().plus(RECORD_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            boolean recorded = ctx.store().list(Engine.class, Map.of(Longhorn.LABEL_VOLUME, volume)).stream()
                    .anyMatch(e -> e.getStatus().snapshots.keySet().containsAll(names));
            if (recorded) {
                return;
            }
            pause("waiting for the snapshots of volume " + volume + " to be recorded");
        }
        LOG.warnf("volume %s: its snapshots were not all recorded before it is detached again", volume);
    }

    private static void pause(String what) {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what);
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
