package io.longhorn.manager.controller.volume;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.store.Resources;

/**
 * Expansion: the engine is asked for the volume's size (the engine controller expands a running
 * engine); once the engine reports it, the replicas record the new size so that they are reopened
 * with it. A detached volume is expanded at its next attach.
 */
final class ExpansionStep {
    private final ControllerContext ctx;

    ExpansionStep(ControllerContext ctx) {
        this.ctx = ctx;
    }

    void run(VolumeWork w) {
        long size = w.volume.getSpec().size;
        if (w.engineRunning()) {
            long current = w.engine.getStatus().currentSize;
            if (current >= size) {
                for (Replica r : w.healthy()) {
                    if (r.getSpec().volumeSize < current && w.inEngine().contains(Resources.name(r))) {
                        Replica copy = Resources.copy(r);
                        copy.getSpec().volumeSize = current;
                        w.put(ctx.store().update(copy));
                    }
                }
            }
            w.volume.getStatus().expansionRequired = current < size;
        } else {
            w.volume.getStatus().expansionRequired = w.healthy().stream().anyMatch(r -> r.getSpec().volumeSize < size);
        }
    }
}
