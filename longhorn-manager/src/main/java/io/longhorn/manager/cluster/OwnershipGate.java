package io.longhorn.manager.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.longhorn.manager.controller.backup.BackupController;
import io.longhorn.manager.controller.backup.BackupTargetController;
import io.longhorn.manager.controller.engine.EngineController;
import io.longhorn.manager.controller.replica.ReplicaController;
import io.longhorn.manager.controller.runtime.ControllerRuntime;
import io.longhorn.manager.controller.snapshot.SnapshotController;
import io.longhorn.manager.controller.volume.VolumeController;
import io.longhorn.manager.model.Backup;
import io.longhorn.manager.model.BackupTarget;
import io.longhorn.manager.model.Condition;
import io.longhorn.manager.model.Conditions;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.model.NodeStatus;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.store.ConflictException;
import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.Resources;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Per-node ownership in a cluster ({@link Ownership}) as the controller runtime's gate: volumes,
 * engines and replicas (preferred owner {@code spec.nodeID}), the snapshots of a volume (as their
 * volume), backups and backup targets (no preferred node) are reconciled only by their owner's
 * manager. A manager that takes a resource over writes itself into {@code status.ownerID} first (a
 * conflict requeues, so two managers never both take it). Other controllers run everywhere: the
 * node controller handles only its own node, settings are the same for all.
 *
 * <p>It also marks the Longhorn Node of a Kubernetes Node that is not ready as not ready (reason
 * {@code KubernetesNodeNotReady}): the scheduler then places no replica there, and the instance
 * Pods on it report their instances dead.
 */
public final class OwnershipGate implements ControllerRuntime.Gate {
    private static final Logger LOG = Logger.getLogger(OwnershipGate.class);
    public static final String REASON_NODE_NOT_READY = "KubernetesNodeNotReady";
    /** The controllers whose ownership moves; they are re-run when a node or manager changes. */
    public static final List<String> GATED = List.of(VolumeController.NAME, EngineController.NAME,
            ReplicaController.NAME, SnapshotController.NAME, BackupController.NAME, BackupTargetController.NAME);

    private final ResourceStore store;
    private final ClusterNodes nodes;
    private final String me;

    public OwnershipGate(ResourceStore store, ClusterNodes nodes, String me) {
        this.store = store;
        this.nodes = nodes;
        this.me = me;
    }

    /** Sets this gate on the runtime and re-runs the gated controllers whenever nodes or managers change. */
    public void install(ControllerRuntime runtime) {
        runtime.setGate(this);
        nodes.addListener(() -> {
            markNodesNotReady();
            GATED.forEach(runtime::enqueueAll);
        });
        markNodesNotReady();
    }

    @Override
    public boolean handles(String controller, String key) {
        return switch (controller) {
            case VolumeController.NAME -> decide(Volume.class, key, v -> v.getSpec().nodeID,
                    v -> v.getStatus().ownerID, (v, o) -> v.getStatus().ownerID = o, true);
            case SnapshotController.NAME -> decide(Volume.class, key, v -> v.getSpec().nodeID,
                    v -> v.getStatus().ownerID, (v, o) -> v.getStatus().ownerID = o, false);
            case EngineController.NAME -> decide(Engine.class, key, e -> e.getSpec().nodeID,
                    e -> e.getStatus().ownerID, (e, o) -> e.getStatus().ownerID = o, true);
            case ReplicaController.NAME -> decide(Replica.class, key, r -> r.getSpec().nodeID,
                    r -> r.getStatus().ownerID, (r, o) -> r.getStatus().ownerID = o, true);
            case BackupController.NAME -> decide(Backup.class, key, b -> "", b -> b.getStatus().ownerID,
                    (b, o) -> b.getStatus().ownerID = o, true);
            case BackupTargetController.NAME -> decide(BackupTarget.class, key, b -> "", b -> b.getStatus().ownerID,
                    (b, o) -> b.getStatus().ownerID = o, true);
            default -> true;
        };
    }

    private <T extends HasMetadata> boolean decide(Class<T> kind, String key, Function<T, String> preferred,
                                                   Function<T, String> current, OwnerWriter<T> write, boolean claim) {
        Optional<T> found = store.get(kind, key);
        if (found.isEmpty()) {
            return true;
        }
        T r = found.get();
        String owner = current.apply(r);
        if (!Ownership.responsible(me, preferred.apply(r), owner, nodes::managerAvailable)) {
            return false;
        }
        if (claim && !me.equals(owner) && !Resources.isDeleting(r)) {
            T copy = Resources.copy(r);
            write.set(copy, me);
            store.updateStatus(copy);
            LOG.infof("%s %s: taken over by this node %s (owner was \"%s\", preferred \"%s\")",
                    kind.getSimpleName().toLowerCase(), key, me, owner, preferred.apply(r));
        }
        return true;
    }

    @FunctionalInterface
    private interface OwnerWriter<T> {
        void set(T resource, String owner);
    }

    /** Sets Ready false on the Longhorn Nodes whose Kubernetes Node exists and is not ready. */
    void markNodesNotReady() {
        List<String> known = nodes.nodeNames();
        for (Node n : store.list(Node.class)) {
            String name = Resources.name(n);
            if (!known.contains(name) || nodes.nodeReady(name)
                    || !Conditions.isTrue(n.getStatus().conditions, NodeStatus.CONDITION_READY)) {
                continue;
            }
            Node copy = Resources.copy(n);
            Conditions.set(copy.getStatus().conditions, NodeStatus.CONDITION_READY, Condition.FALSE,
                    REASON_NODE_NOT_READY, "Kubernetes node " + name + " is not ready");
            try {
                store.updateStatus(copy);
                LOG.warnf("node %s is down: Kubernetes node not ready", name);
            } catch (ConflictException e) {
                LOG.debugf("node %s: conflict marking it not ready, the next change retries", name);
            }
        }
    }
}
