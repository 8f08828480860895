package io.longhorn.manager.controller.volume;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Writes;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Snapshot;
import io.longhorn.manager.model.VolumeState;
import io.longhorn.manager.store.Resources;
import java.util.Map;

/**
 * Deletes what a volume owns, engine first (so nothing writes to replicas being removed), then the
 * replicas (whose controller removes their data), then its snapshot resources and its secret; the
 * volume goes when all are gone.
 */
final class DeletionStep {
    private final ControllerContext ctx;

    DeletionStep(ControllerContext ctx) {
        this.ctx = ctx;
    }

    /** @return true when everything is gone and the volume's finalizer was removed */
    boolean run(VolumeWork w) {
        if (!VolumeState.DELETING.equals(w.volume.getStatus().state)) {
            w.volume.getStatus().state = VolumeState.DELETING;
            w.volume = ctx.store().updateStatus(w.volume);
        }
        if (w.engine != null) {
            ctx.store().delete(Engine.class, Resources.name(w.engine));
            return false;
        }
        if (!w.replicas.isEmpty()) {
            for (Replica r : w.replicas.values()) {
                ctx.store().delete(Replica.class, Resources.name(r));
            }
            return false;
        }
        for (Snapshot s : ctx.store().list(Snapshot.class, Map.of(Longhorn.LABEL_VOLUME, w.name()))) {
            Writes.removeFinalizer(ctx.store(), s);
            ctx.store().get(Snapshot.class, Resources.name(s))
                    .ifPresent(left -> ctx.store().delete(Snapshot.class, Resources.name(left)));
        }
        // Nothing of the volume runs any more: its secret goes before the volume does.
        ctx.launcher().deleteVolumeSecret(w.name());
        Writes.removeFinalizer(ctx.store(), w.volume);
        ctx.events().normal("Volume", w.name(), "Deleted", "volume " + w.name() + " deleted");
        return true;
    }
}
