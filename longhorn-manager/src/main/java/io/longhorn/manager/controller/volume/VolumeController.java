package io.longhorn.manager.controller.volume;

import io.longhorn.manager.client.ReplicaClients;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Writes;
import io.longhorn.manager.controller.runtime.Reconciler;
import io.longhorn.manager.controller.runtime.Result;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.model.VolumeState;
import io.longhorn.manager.store.Resources;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Reconciles a volume with its engine and replicas. See the package description for the steps. */
public final class VolumeController implements Reconciler {
    public static final String NAME = "volume";

    private final ControllerContext ctx;
    private final EngineStep engineStep;
    private final ReplicaHealthStep healthStep;
    private final SalvageStep salvageStep;
    private final ReplicaScheduleStep scheduleStep;
    private final ReplicaCleanupStep cleanupStep;
    private final AttachStep attachStep;
    private final RestoreStep restoreStep;
    private final CloneStep cloneStep;
    private final ExpansionStep expansionStep;
    private final StatusStep statusStep;
    private final DeletionStep deletionStep;

    /**
     * @param replicas clients of replicas by control address: a copy takes the snapshot of a detached
     *                 source volume on its replicas directly
     */
    public VolumeController(ControllerContext ctx, ReplicaClients replicas) {
        this.ctx = ctx;
        this.cloneStep = new CloneStep(ctx, replicas);
        this.engineStep = new EngineStep(ctx);
        this.healthStep = new ReplicaHealthStep(ctx);
        this.salvageStep = new SalvageStep(ctx);
        this.scheduleStep = new ReplicaScheduleStep(ctx);
        this.cleanupStep = new ReplicaCleanupStep(ctx);
        this.attachStep = new AttachStep(ctx);
        this.restoreStep = new RestoreStep(ctx);
        this.expansionStep = new ExpansionStep(ctx);
        this.statusStep = new StatusStep(ctx);
        this.deletionStep = new DeletionStep(ctx);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> keys() {
        return ctx.store().list(Volume.class).stream().map(Resources::name).toList();
    }

    @Override
    public Result reconcile(String name) {
        Optional<Volume> found = ctx.store().get(Volume.class, name);
        if (found.isEmpty()) {
            return Result.DONE;
        }
        Volume volume = found.get();
        if (Resources.isDeleting(volume)) {
            VolumeWork dying = VolumeWork.load(ctx.store(), volume);
            cloneStep.abandon(dying);
            boolean gone = deletionStep.run(dying);
            return gone ? Result.DONE : Result.after(Duration.ofMillis(500));
        }
        volume = Writes.ensureFinalizer(ctx.store(), volume);
        VolumeWork w = VolumeWork.load(ctx.store(), volume);
        restoreStep.prepare(w);
        cloneStep.prepare(w);
        engineStep.run(w);
        healthStep.run(w);
        salvageStep.run(w);
        scheduleStep.run(w);
        cleanupStep.run(w);
        attachStep.run(w);
        Result result = restoreStep.run(w).min(cloneStep.run(w));
        expansionStep.run(w);
        statusStep.run(w);
        Writes.updateStatusIfChanged(ctx.store(), w.original, w.volume);
        return result.min(transitionalRequeue(w));
    }

    /** Looks again soon while the volume moves between states (in case an event was missed). */
    private Result transitionalRequeue(VolumeWork w) {
        String state = w.volume.getStatus().state;
        boolean settled = VolumeState.ATTACHED.equals(state) || VolumeState.DETACHED.equals(state);
        return settled ? Result.DONE : Result.after(Duration.ofSeconds(2));
    }

    /** Brings back named failed replicas of a faulted volume (the salvage action). */
    public void salvage(String volumeName, List<String> replicaNames) {
        Volume volume = ctx.store().get(Volume.class, volumeName).orElseThrow();
        VolumeWork w = VolumeWork.load(ctx.store(), volume);
        var chosen = w.failed().stream().filter(r -> replicaNames.contains(Resources.name(r))).toList();
        salvageStep.salvage(w, chosen, "the salvage action");
    }
}
