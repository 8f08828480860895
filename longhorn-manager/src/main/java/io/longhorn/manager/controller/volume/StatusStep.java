package io.longhorn.manager.controller.volume;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.model.Backup;
import io.longhorn.manager.model.BackupState;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.SnapshotInfo;
import io.longhorn.manager.model.VolumeRobustness;
import io.longhorn.manager.model.VolumeStatus;
import io.longhorn.manager.store.Resources;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Computes the volume's state, robustness, node, size and last backup. */
final class StatusStep {
    private final ControllerContext ctx;

    StatusStep(ControllerContext ctx) {
        this.ctx = ctx;
    }

    void run(VolumeWork w) {
        VolumeStatus s = w.volume.getStatus();
        List<Replica> healthy = w.healthy();
        Map<String, String> modes = w.modes();
        List<String> healthyModes = healthy.stream().map(r -> modes.getOrDefault(Resources.name(r), "")).toList();
        String robustness = Robustness.of(w.engineRunning(), w.volume.getSpec().numberOfReplicas, healthyModes,
                w.replicas.size(), w.failed().size());
        if (VolumeRobustness.DEGRADED.equals(robustness) && !VolumeRobustness.DEGRADED.equals(s.robustness)) {
            s.lastDegradedAt = ctx.now();
        }
        s.robustness = robustness;
        boolean wantAttached = !w.volume.getSpec().nodeID.isEmpty() || w.restoring;
        boolean serving = w.restoring
                ? !healthy.isEmpty() && healthy.stream().allMatch(VolumeWork::running)
                : w.engineRunning() && w.volume.getSpec().nodeID.equals(w.engine.getSpec().nodeID)
                && (w.volume.getSpec().disableFrontend || !w.engine.getStatus().endpoint.isEmpty());
        boolean anythingRunning = (w.engine != null && !AttachStep.isStopped(w.engine))
                || w.replicas.values().stream().anyMatch(r -> !InstanceState.STOPPED.equals(r.getStatus().currentState)
                && !InstanceState.ERROR.equals(r.getStatus().currentState));
        s.state = VolumeStateRule.of(false, !w.replicas.isEmpty(), wantAttached, serving, anythingRunning);
        s.currentNodeID = w.engineRunning() ? w.engine.getSpec().nodeID : (w.restoring && serving ? ctx.nodeID() : "");
        s.frontendDisabled = w.volume.getSpec().disableFrontend || w.restoring;
        s.isStandby = w.volume.getSpec().standby && w.restoring;
        s.currentImage = w.volume.getSpec().image;
        s.ownerID = ctx.nodeID();
        if (w.engineRunning()) {
            s.actualSize = w.engine.getStatus().snapshots.values().stream().mapToLong(StatusStep::size).sum();
        }
        lastBackup(w, s);
    }

    private void lastBackup(VolumeWork w, VolumeStatus s) {
        ctx.store().list(Backup.class, Map.of(Longhorn.LABEL_BACKUP_VOLUME, w.name())).stream()
                .filter(b -> BackupState.COMPLETED.equals(b.getStatus().state))
                .max(Comparator.comparing((Backup b) -> b.getStatus().backupCreatedAt))
                .ifPresent(b -> {
                    s.lastBackup = Resources.name(b);
                    s.lastBackupAt = b.getStatus().backupCreatedAt;
                });
    }

    private static long size(SnapshotInfo i) {
        try {
            return Long.parseLong(i.size);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
