package io.longhorn.manager.controller.volume;

import io.longhorn.manager.model.Conditions;
import io.longhorn.manager.model.DiskSpec;
import io.longhorn.manager.model.DiskStatus;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.model.NodeStatus;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.scheduling.DiskCandidate;
import io.longhorn.manager.store.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns Node resources and the replicas placed so far into scheduling candidates. Pure. */
final class DiskCandidates {
    private DiskCandidates() {
    }

    static List<DiskCandidate> of(List<Node> nodes, List<Replica> allReplicas) {
        return of(nodes, allReplicas, List.of(), List.of());
    }

    /**
     * The candidates on nodes carrying every tag of {@code nodeSelector}, disks carrying every tag
     * of {@code diskSelector} (a volume's selectors: empty selects all).
     */
    static List<DiskCandidate> of(List<Node> nodes, List<Replica> allReplicas, List<String> nodeSelector,
                                  List<String> diskSelector) {
        Map<String, Long> scheduled = new HashMap<>();
        for (Replica r : allReplicas) {
            if (!r.getSpec().diskID.isEmpty() && !Resources.isDeleting(r)) {
                scheduled.merge(r.getSpec().diskID, r.getSpec().volumeSize, Long::sum);
            }
        }
        List<DiskCandidate> list = new ArrayList<>();
        for (Node n : nodes) {
            if (Resources.isDeleting(n) || !n.getSpec().tags.containsAll(nodeSelector)) {
                continue;
            }
            boolean nodeOk = n.getSpec().allowScheduling && !n.getSpec().evictionRequested
                    && Conditions.isTrue(n.getStatus().conditions, NodeStatus.CONDITION_READY);
            for (Map.Entry<String, DiskSpec> e : n.getSpec().disks.entrySet()) {
                DiskStatus ds = n.getStatus().diskStatus.get(e.getKey());
                if (ds == null || ds.diskUUID.isEmpty()) {
                    continue;
                }
                DiskSpec spec = e.getValue();
                if (!spec.tags.containsAll(diskSelector)) {
                    continue;
                }
                boolean diskOk = spec.allowScheduling && !spec.evictionRequested
                        && Conditions.isTrue(ds.conditions, DiskStatus.CONDITION_READY);
                list.add(new DiskCandidate(Resources.name(n), e.getKey(), ds.diskUUID, spec.path, nodeOk, diskOk,
                        ds.storageMaximum, ds.storageAvailable, spec.storageReserved,
                        scheduled.getOrDefault(ds.diskUUID, 0L), n.getStatus().zone == null ? "" : n.getStatus().zone));
            }
        }
        return list;
    }
}
