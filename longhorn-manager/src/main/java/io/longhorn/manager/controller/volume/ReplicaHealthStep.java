package io.longhorn.manager.controller.volume;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.store.Resources;
import java.util.List;

/**
 * Marks replicas failed (the engine says ERR, or the instance died while it should run) and healthy
 * (the engine says RW). A failed replica never serves again unless salvaged; it is replaced.
 */
final class ReplicaHealthStep {
    private final ControllerContext ctx;

    ReplicaHealthStep(ControllerContext ctx) {
        this.ctx = ctx;
    }

    void run(VolumeWork w) {
        var modes = w.modes();
        for (Replica r : List.copyOf(w.replicas.values())) {
            if (!r.getSpec().failedAt.isEmpty() || Resources.isDeleting(r)) {
                continue;
            }
            String name = Resources.name(r);
            String mode = modes.get(name);
            if (ReplicaMode.ERR.equals(mode)) {
                markFailed(w, r, "the engine set it to ERR");
            } else if (InstanceState.ERROR.equals(r.getStatus().currentState)
                    && InstanceState.RUNNING.equals(r.getSpec().desireState)) {
                markFailed(w, r, "its instance failed: " + r.getStatus().error);
            } else if (ReplicaMode.RW.equals(mode) && r.getSpec().healthyAt.isEmpty()) {
                Replica copy = Resources.copy(r);
                copy.getSpec().healthyAt = ctx.now();
                copy.getSpec().lastHealthyAt = copy.getSpec().healthyAt;
                w.put(ctx.store().update(copy));
            }
        }
    }

    private void markFailed(VolumeWork w, Replica r, String why) {
        Replica copy = Resources.copy(r);
        copy.getSpec().failedAt = ctx.now();
        copy.getSpec().lastFailedAt = copy.getSpec().failedAt;
        copy.getSpec().desireState = InstanceState.STOPPED;
        w.put(ctx.store().update(copy));
        ctx.events().warning("Volume", w.name(), "ReplicaFailed",
                "replica " + Resources.name(r) + " of volume " + w.name() + " failed: " + why);
    }
}
