package io.longhorn.manager.controller.volume;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.store.Resources;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Removes replicas the volume no longer needs: failed ones once the volume is healthy again (their
 * replacements rebuilt), and surplus ones when numberOfReplicas was lowered. A replica is deleted
 * only after the running engine dropped it, so the engine never writes to a stopped replica.
 */
final class ReplicaCleanupStep {
    private final ControllerContext ctx;

    ReplicaCleanupStep(ControllerContext ctx) {
        this.ctx = ctx;
    }

    void run(VolumeWork w) {
        int wanted = w.volume.getSpec().numberOfReplicas;
        long rw = w.healthy().stream().filter(r -> ReplicaMode.RW.equals(w.modes().get(Resources.name(r)))).count();
        if (w.engineRunning() && rw >= wanted) {
            for (Replica r : w.failed()) {
                deleteWhenDropped(w, r, "failed and replaced");
            }
        }
        List<Replica> healthy = w.healthy();
        // A replica added by auto-balance is kept until it is rebuilt: the surplus to remove is then
        // the one on the most crowded zone or node, not the one still copying.
        boolean balancing = healthy.stream().anyMatch(r -> "true".equals(Resources.labels(r).get(Longhorn.LABEL_AUTO_BALANCE))
                && w.engineRunning() && !ReplicaMode.RW.equals(w.modes().get(Resources.name(r))));
        if (healthy.size() > wanted && !balancing) {
            Map<String, String> zones = new HashMap<>();
            for (Node n : ctx.store().list(Node.class)) {
                zones.put(Resources.name(n), n.getStatus().zone == null ? "" : n.getStatus().zone);
            }
            ReplicaPicker.toRemove(healthy, w.modes(), zones).ifPresent(r -> {
                w.removing.add(Resources.name(r));
                deleteWhenDropped(w, r, "numberOfReplicas is " + wanted);
            });
        }
    }

    private void deleteWhenDropped(VolumeWork w, Replica r, String why) {
        if (Resources.isDeleting(r) || w.inEngine().contains(Resources.name(r))) {
            return;
        }
        if (ctx.store().delete(Replica.class, Resources.name(r))) {
            ctx.events().normal("Volume", w.name(), "ReplicaRemoved",
                    "removed replica " + Resources.name(r) + " of volume " + w.name() + ": " + why);
        }
        ctx.store().get(Replica.class, Resources.name(r)).ifPresentOrElse(w::put, () -> w.replicas.remove(Resources.name(r)));
    }
}
