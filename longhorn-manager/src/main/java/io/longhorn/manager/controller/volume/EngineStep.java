package io.longhorn.manager.controller.volume;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.store.Resources;

/** Creates the volume's engine resource when missing (it stays stopped until attach). */
final class EngineStep {
    private final ControllerContext ctx;

    EngineStep(ControllerContext ctx) {
        this.ctx = ctx;
    }

    void run(VolumeWork w) {
        if (w.engine != null) {
            return;
        }
        Engine e = Resources.create(Engine.class, w.name() + "-e-0");
        Resources.labels(e).put(Longhorn.LABEL_VOLUME, w.name());
        Resources.finalizers(e).add(Longhorn.FINALIZER);
        e.getSpec().volumeName = w.name();
        e.getSpec().volumeSize = w.volume.getSpec().size;
        e.getSpec().frontend = w.volume.getSpec().frontend;
        e.getSpec().desireState = InstanceState.STOPPED;
        e.getSpec().image = w.volume.getSpec().image;
        w.engine = ctx.store().create(e);
    }
}
