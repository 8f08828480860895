package io.longhorn.manager.controller.volume;

import io.longhorn.api.backup.CopyRequest;
import io.longhorn.api.backup.Job;
import io.longhorn.api.backup.JobState;
import io.longhorn.manager.client.ReplicaClients;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.runtime.Result;
import io.longhorn.manager.model.CloneStatus;
import io.longhorn.manager.model.Condition;
import io.longhorn.manager.model.Conditions;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.model.VolumeStatus;
import io.longhorn.manager.settings.SettingNames;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fills a volume created with a {@code dataSource} from its source, the way {@link RestoreStep}
 * fills one from a backup: with its replicas running (and no engine), the backup service copies
 * the source's snapshot into them, reading it from a replica of the source; no backup target is
 * involved. For {@code vol://} a snapshot of the source is taken first (attached or detached, see
 * {@link CloneSource}) and removed once the copy is done. Until then the volume cannot be attached.
 * A failed copy is tried again; once one began writing, the next rewrites every block (the
 * replicas hold partial data and are marked failed until a copy completes), so no attempt builds on
 * what a failed one left.
 */
public final class CloneStep {
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration RETRY = Duration.ofSeconds(15);
    /** Label on a snapshot taken for a copy: the volume it was taken for. */
    static final String LABEL_FOR = "longhorn.io/clone-for";

    private final ControllerContext ctx;
    private final ReplicaClients replicas;

    CloneStep(ControllerContext ctx, ReplicaClients replicas) {
        this.ctx = ctx;
        this.replicas = replicas;
    }

    /** Whether the volume still waits for the copy from its dataSource (and so cannot be used). */
    public static boolean filling(Volume v) {
        return !v.getSpec().dataSource.isEmpty()
                && !CloneStatus.STATE_COMPLETED.equals(v.getStatus().cloneStatus.state);
    }

    /** A volume being filled runs its replicas without an engine, as a restoring one does. */
    void prepare(VolumeWork w) {
        if (filling(w.volume)) {
            w.restoring = true;
        }
    }

    Result run(VolumeWork w) {
        if (!filling(w.volume)) {
            return Result.DONE;
        }
        CloneStatus cs = w.volume.getStatus().cloneStatus;
        DataSource source;
        try {
            source = DataSource.parse(w.volume.getSpec().dataSource);
        } catch (IllegalArgumentException e) {
            return failed(w, "invalid dataSource " + w.volume.getSpec().dataSource + ": " + e.getMessage());
        }
        cs.sourceVolume = source.volume();
        cs.snapshot = source.takesSnapshot() ? DataSource.snapshotFor(w.name()) : source.snapshot();
        List<Replica> healthy = w.healthy();
        if (healthy.isEmpty() || !healthy.stream().allMatch(VolumeWork::running)) {
            return Result.after(POLL);
        }
        return cs.jobID.isEmpty() ? start(w, source, healthy) : follow(w, source);
    }

    private Result start(VolumeWork w, DataSource ds, List<Replica> targets) {
        CloneStatus cs = w.volume.getStatus().cloneStatus;
        Optional<Volume> volume = ctx.store().get(Volume.class, ds.volume());
        if (volume.isEmpty()) {
            return failed(w, "source volume " + ds.volume() + " not found");
        }
        Optional<CloneSource> source = CloneSource.of(ctx, replicas, volume.get());
        if (source.isEmpty()) {
            inProgress(w, "waiting for the replicas of source volume " + ds.volume() + " to run");
            return Result.after(POLL);
        }
        try {
            if (ds.takesSnapshot()) {
                source.get().takeSnapshot(cs.snapshot, Map.of(LABEL_FOR, w.name()));
            } else if (!source.get().hasSnapshot(cs.snapshot)) {
                return failed(w, "snapshot " + cs.snapshot + " of volume " + ds.volume() + " not found");
            }
            CopyRequest.Builder req = CopyRequest.newBuilder()
                    .setSourceReplicaAddress(source.get().readAddress())
                    .setSnapshotName(cs.snapshot)
                    .setVolumeName(w.name())
                    .setOverwrite(cs.overwriteRequired)
                    .setConcurrency((int) ctx.settings().integer(SettingNames.RESTORE_CONCURRENT_LIMIT));
            targets.forEach(r -> req.addReplicaAddresses(r.getStatus().ip + ":" + r.getStatus().port));
            Job job = ctx.backups().client().copy(req.build());
            cs.jobID = job.getId();
            cs.state = CloneStatus.STATE_INITIATED;
            cs.error = "";
            cs.progress = 0;
            cs.attemptCount++;
            inProgress(w, "copying snapshot " + cs.snapshot + " of volume " + ds.volume());
            ctx.events().normal("Volume", w.name(), "CloneStarted", "volume " + w.name() + " copies snapshot "
                    + cs.snapshot + " of volume " + ds.volume() + (cs.overwriteRequired ? ", rewriting every block" : ""));
            return Result.after(POLL);
        } catch (ServiceCallException e) {
            return failed(w, e.getMessage());
        }
    }

    private Result follow(VolumeWork w, DataSource ds) {
        CloneStatus cs = w.volume.getStatus().cloneStatus;
        Job job;
        try {
            job = ctx.backups().client().getJob(cs.jobID);
        } catch (ServiceCallException e) {
            if (e.notFound()) {
                // The backup service restarted and forgot the job: what it wrote is unknown, start over.
                cs.jobID = "";
                cs.overwriteRequired = true;
                return Result.after(POLL);
            }
            throw e;
        }
        if (job.getState() == JobState.COMPLETED) {
            cs.progress = 100;
            if (ds.takesSnapshot() && !removeSnapshot(w, ds)) {
                return Result.after(RETRY); // the job is kept; the removal is tried again
            }
            finish(w, ds);
            return Result.DONE;
        }
        if (job.getState() == JobState.FAILED || job.getState() == JobState.CANCELLED) {
            cs.jobID = "";
            if (job.getTargetIncomplete()) {
                cs.overwriteRequired = true;
            }
            return failed(w, job.getError().isEmpty() ? "copy job " + job.getState() : job.getError());
        }
        cs.progress = job.getProgress();
        return Result.after(POLL);
    }

    /**
     * A volume deleted before its {@code vol://} copy completed: the snapshot taken of the source for
     * it is removed where the source can be reached now. Best effort, once: a snapshot left behind
     * is an ordinary snapshot of the source, labelled with the volume it was taken for.
     */
    void abandon(VolumeWork w) {
        CloneStatus cs = w.volume.getStatus().cloneStatus;
        if (!filling(w.volume) || cs.snapshot.isEmpty() || cs.state.isEmpty()) {
            return;
        }
        DataSource ds;
        try {
            ds = DataSource.parse(w.volume.getSpec().dataSource);
        } catch (IllegalArgumentException e) {
            return;
        }
        if (!ds.takesSnapshot()) {
            return;
        }
        try {
            ctx.store().get(Volume.class, ds.volume()).flatMap(v -> CloneSource.of(ctx, replicas, v))
                    .ifPresent(source -> source.removeSnapshot(cs.snapshot));
        } catch (RuntimeException e) {
            ctx.events().warning("Volume", ds.volume(), "SnapshotLeft", "snapshot " + cs.snapshot + " of volume "
                    + ds.volume() + ", taken to clone volume " + w.name() + " (deleted), could not be removed: "
                    + e.getMessage());
        }
        cs.state = "";
    }

    /** Removes the snapshot taken for a {@code vol://} copy; false when it must be tried again. */
    private boolean removeSnapshot(VolumeWork w, DataSource ds) {
        CloneStatus cs = w.volume.getStatus().cloneStatus;
        Optional<CloneSource> source = ctx.store().get(Volume.class, ds.volume())
                .flatMap(v -> CloneSource.of(ctx, replicas, v));
        if (source.isEmpty()) {
            if (ctx.store().get(Volume.class, ds.volume()).isEmpty()) {
                return true; // the source is gone, and its snapshot with it
            }
            inProgress(w, "copied; waiting for source volume " + ds.volume() + " to remove snapshot " + cs.snapshot);
            return false;
        }
        try {
            source.get().removeSnapshot(cs.snapshot);
            return true;
        } catch (ServiceCallException e) {
            inProgress(w, "copied; cannot remove snapshot " + cs.snapshot + " of volume " + ds.volume() + " yet: "
                    + e.getMessage());
            return false;
        }
    }

    private void finish(VolumeWork w, DataSource ds) {
        CloneStatus cs = w.volume.getStatus().cloneStatus;
        cs.state = CloneStatus.STATE_COMPLETED;
        cs.jobID = "";
        cs.error = "";
        cs.overwriteRequired = false;
        w.restoring = false;
        Conditions.set(w.volume.getStatus().conditions, VolumeStatus.CONDITION_CLONE, Condition.FALSE,
                "CloneCompleted", "copied snapshot " + cs.snapshot + " of volume " + ds.volume());
        ctx.events().normal("Volume", w.name(), "CloneCompleted", "volume " + w.name() + " is ready: copied "
                + w.volume.getSpec().dataSource);
    }

    private void inProgress(VolumeWork w, String message) {
        Conditions.set(w.volume.getStatus().conditions, VolumeStatus.CONDITION_CLONE, Condition.TRUE,
                "CloneInProgress", message);
    }

    private Result failed(VolumeWork w, String why) {
        CloneStatus cs = w.volume.getStatus().cloneStatus;
        boolean news = !why.equals(cs.error);
        cs.state = CloneStatus.STATE_FAILED;
        cs.error = why;
        Conditions.set(w.volume.getStatus().conditions, VolumeStatus.CONDITION_CLONE, Condition.FALSE,
                "CloneFailure", why);
        if (news) {
            ctx.events().warning("Volume", w.name(), "CloneFailed", "copy into volume " + w.name() + " from "
                    + w.volume.getSpec().dataSource + " failed: " + why + "; it is tried again");
        }
        return Result.after(RETRY);
    }
}
