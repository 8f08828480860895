package io.longhorn.manager.controller.volume;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Ids;
import io.longhorn.manager.model.Condition;
import io.longhorn.manager.model.Conditions;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.VolumeStatus;
import io.longhorn.manager.scheduling.DiskCandidate;
import io.longhorn.manager.scheduling.ExistingReplica;
import io.longhorn.manager.scheduling.Placement;
import io.longhorn.manager.scheduling.ReplicaBalancer;
import io.longhorn.manager.scheduling.ReplicaScheduler;
import io.longhorn.manager.scheduling.SchedulingPolicy;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.Resources;
import java.util.List;

/**
 * Creates replicas until the volume has numberOfReplicas healthy ones. A new volume gets all of
 * them at once; afterwards replacements are made only while the engine runs (a replacement is
 * empty and must be rebuilt from a healthy replica) or before a restore starts.
 */
final class ReplicaScheduleStep {
    /** Scheduling reads every replica's placement; two volumes must not take the same room. */
    private static final Object SCHEDULING = new Object();

    private final ControllerContext ctx;

    ReplicaScheduleStep(ControllerContext ctx) {
        this.ctx = ctx;
    }

    void run(VolumeWork w) {
        int wanted = w.volume.getSpec().numberOfReplicas;
        List<Replica> healthy = w.healthy();
        int missing = wanted - healthy.size();
        boolean fresh = w.replicas.isEmpty();
        // A replacement is rebuilt from an RW replica: without one it would only add an empty copy.
        boolean canRebuild = w.engineRunning() && w.modes().containsValue(ReplicaMode.RW);
        boolean mayCreate = fresh || canRebuild || (w.restoring && w.volume.getStatus().restoreJobID.isEmpty());
        if (missing <= 0 || !mayCreate) {
            if (missing <= 0) {
                Conditions.set(w.volume.getStatus().conditions, VolumeStatus.CONDITION_SCHEDULED, Condition.TRUE, "", "");
                if (missing == 0) {
                    balance(w, healthy);
                }
            }
            return;
        }
        synchronized (SCHEDULING) {
            List<ExistingReplica> existing = w.replicas.values().stream()
                    .map(r -> new ExistingReplica(r.getSpec().nodeID, r.getSpec().diskID, !r.getSpec().failedAt.isEmpty()))
                    .toList();
            var disks = candidates(w);
            long size = replicaSize(w, healthy);
            var placements = ReplicaScheduler.scheduleAll(missing, size, existing, disks,
                    SchedulingPolicy.from(ctx.settings()));
            for (Placement p : placements) {
                if (p instanceof Placement.Scheduled s) {
                    Replica r = create(w, s, size);
                    w.put(r);
                    ctx.events().normal("Volume", w.name(), "ReplicaScheduled", "replica " + Resources.name(r)
                            + " of volume " + w.name() + " scheduled on node " + s.disk().nodeID() + " disk "
                            + s.disk().diskPath());
                } else if (p instanceof Placement.Unschedulable u) {
                    Conditions.set(w.volume.getStatus().conditions, VolumeStatus.CONDITION_SCHEDULED, Condition.FALSE,
                            "ReplicaSchedulingFailure", reason(u.reason(), disks.isEmpty(), selectors(w)));
                    return;
                }
            }
        }
        Conditions.set(w.volume.getStatus().conditions, VolumeStatus.CONDITION_SCHEDULED, Condition.TRUE, "", "");
    }

    /**
     * Replica auto-balance: while the engine runs with every replica RW and none failed, adds one
     * replica where {@link ReplicaBalancer} says the volume is short; once it is rebuilt, the cleanup
     * step removes the surplus from the most crowded zone or node.
     */
    private void balance(VolumeWork w, List<Replica> healthy) {
        ReplicaBalancer.Mode mode = ReplicaBalancer.Mode.parse(ctx.settings().get(SettingNames.REPLICA_AUTO_BALANCE));
        if (mode == ReplicaBalancer.Mode.DISABLED || !w.engineRunning() || !w.failed().isEmpty() || w.restoring
                || healthy.stream().anyMatch(r -> !ReplicaMode.RW.equals(w.modes().get(Resources.name(r))))) {
            return;
        }
        synchronized (SCHEDULING) {
            List<ExistingReplica> existing = healthy.stream()
                    .map(r -> new ExistingReplica(r.getSpec().nodeID, r.getSpec().diskID, false)).toList();
            var disks = candidates(w);
            long size = replicaSize(w, healthy);
            SchedulingPolicy policy = SchedulingPolicy.from(ctx.settings());
            List<DiskCandidate> targets = ReplicaBalancer.targets(mode, existing, disks, size, policy);
            if (targets.isEmpty()) {
                return;
            }
            SchedulingPolicy soft = new SchedulingPolicy(policy.overProvisioningPercentage(),
                    policy.minimalAvailablePercentage(), true, true, true);
            if (ReplicaScheduler.schedule(size, 0, existing, targets, soft) instanceof Placement.Scheduled s) {
                Replica r = create(w, s, size, true);
                w.put(r);
                ctx.events().normal("Volume", w.name(), "ReplicaAutoBalance", "replica " + Resources.name(r)
                        + " of volume " + w.name() + " scheduled on node " + s.disk().nodeID() + " disk "
                        + s.disk().diskPath() + " to balance replicas (replica-auto-balance " + mode + ")");
            }
        }
    }

    /** The disks the volume's replicas may go to: those its node and disk selectors allow. */
    private List<DiskCandidate> candidates(VolumeWork w) {
        return DiskCandidates.of(ctx.store().list(Node.class), ctx.store().list(Replica.class),
                w.volume.getSpec().nodeSelector, w.volume.getSpec().diskSelector);
    }

    /** The volume's selectors in words ("nodeSelector [a] and diskSelector [b]"), empty without any. */
    private static String selectors(VolumeWork w) {
        List<String> nodes = w.volume.getSpec().nodeSelector;
        List<String> disks = w.volume.getSpec().diskSelector;
        return (nodes.isEmpty() ? "" : "nodeSelector " + nodes) + (nodes.isEmpty() || disks.isEmpty() ? "" : " and ")
                + (disks.isEmpty() ? "" : "diskSelector " + disks);
    }

    static String reason(String scheduler, boolean noCandidate, String selectors) {
        if (selectors.isEmpty()) {
            return scheduler;
        }
        return noCandidate ? "no node and disk carry the tags of the volume's " + selectors
                : scheduler + " (only nodes and disks carrying the tags of the volume's " + selectors + " count)";
    }

    /** Replicas of one volume share a size; before an expansion reached them all it is the smallest. */
    private static long replicaSize(VolumeWork w, List<Replica> healthy) {
        return healthy.stream().mapToLong(r -> r.getSpec().volumeSize).filter(s -> s > 0).min()
                .orElse(w.volume.getSpec().size);
    }

    private Replica create(VolumeWork w, Placement.Scheduled s, long size) {
        return create(w, s, size, false);
    }

    private Replica create(VolumeWork w, Placement.Scheduled s, long size, boolean balancing) {
        String suffix = Ids.hex(4);
        Replica r = Resources.create(Replica.class, w.name() + "-r-" + suffix);
        Resources.labels(r).put(Longhorn.LABEL_VOLUME, w.name());
        Resources.labels(r).put(Longhorn.LABEL_NODE, s.disk().nodeID());
        Resources.labels(r).put(Longhorn.LABEL_DISK_UUID, s.disk().diskUUID());
        if (balancing) {
            Resources.labels(r).put(Longhorn.LABEL_AUTO_BALANCE, "true");
        }
        Resources.finalizers(r).add(Longhorn.FINALIZER);
        var spec = r.getSpec();
        spec.volumeName = w.name();
        spec.volumeSize = size;
        spec.nodeID = s.disk().nodeID();
        spec.diskID = s.disk().diskUUID();
        spec.diskPath = s.disk().diskPath();
        spec.dataDirectoryName = w.name() + "-" + suffix;
        spec.engineName = w.engine == null ? "" : Resources.name(w.engine);
        spec.desireState = InstanceState.STOPPED;
        spec.image = w.volume.getSpec().image;
        return ctx.store().create(r);
    }
}
