package io.longhorn.manager.controller.volume;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.Resources;
import java.util.Collection;
import java.util.List;

/**
 * When every replica of a volume failed (the volume is faulted), brings back the ones that failed
 * last, if auto-salvage is on (or the user asked with the salvage action), and restarts the engine
 * over them; the other replicas are then rebuilt from them.
 */
final class SalvageStep {
    private final ControllerContext ctx;

    SalvageStep(ControllerContext ctx) {
        this.ctx = ctx;
    }

    void run(VolumeWork w) {
        restartEngineWithoutReplicas(w);
        // Faulted: no replica that is not failed ever held the volume's data (replacements made
        // meanwhile are empty), while some failed ones did.
        if (w.replicas.isEmpty() || w.healthy().stream().anyMatch(r -> !r.getSpec().healthyAt.isEmpty())) {
            return;
        }
        if (!ctx.settings().bool(SettingNames.AUTO_SALVAGE)) {
            return;
        }
        // Wait until the failed instances were cleaned up, so that bringing a replica back starts it
        // afresh instead of reading its old error again.
        if (w.failed().stream().anyMatch(r -> !InstanceState.STOPPED.equals(r.getStatus().currentState))) {
            return;
        }
        List<Replica> chosen = ReplicaPicker.toSalvage(w.failed());
        if (!chosen.isEmpty()) {
            salvage(w, chosen, "auto-salvage");
        }
    }

    /**
     * An engine that runs with no RW replica while replicas holding the data are healthy (e.g. a
     * salvage interrupted half-way) serves nothing and cannot rebuild: restart it over them.
     */
    private void restartEngineWithoutReplicas(VolumeWork w) {
        if (!w.engineRunning() || w.modes().containsValue(ReplicaMode.RW) || w.engine.getSpec().salvageRequested) {
            return;
        }
        boolean dataAvailable = w.healthy().stream().anyMatch(r -> !r.getSpec().healthyAt.isEmpty() && VolumeWork.running(r));
        if (dataAvailable) {
            requestEngineRestart(w);
            ctx.events().warning("Volume", w.name(), "EngineRestarted", "the engine of volume " + w.name()
                    + " had no RW replica left; restarting it over the healthy replicas");
        }
    }

    private void requestEngineRestart(VolumeWork w) {
        requestEngineRestart(w, false);
    }

    /** @param salvageStart whether the restart may serve replicas behind the volume's generation */
    private void requestEngineRestart(VolumeWork w, boolean salvageStart) {
        if (w.engine != null && (!w.engine.getSpec().salvageRequested || salvageStart && !w.engine.getSpec().salvageStart)) {
            Engine copy = Resources.copy(w.engine);
            copy.getSpec().salvageRequested = true;
            copy.getSpec().salvageStart |= salvageStart;
            w.engine = ctx.store().update(copy);
        }
    }

    /** Clears the failure of the given replicas and has the engine restart over them. */
    void salvage(VolumeWork w, Collection<Replica> chosen, String why) {
        // The engine restart is requested first: if a write below conflicts, the retry finds the
        // replicas still failed and salvages again, instead of an engine left without replicas.
        requestEngineRestart(w, true);
        for (Replica r : chosen) {
            Replica copy = Resources.copy(r);
            copy.getSpec().failedAt = "";
            w.put(ctx.store().update(copy));
        }
        ctx.events().warning("Volume", w.name(), "Salvaged", "volume " + w.name() + " was faulted; " + why
                + " brought back replicas " + chosen.stream().map(Resources::name).toList());
    }
}
