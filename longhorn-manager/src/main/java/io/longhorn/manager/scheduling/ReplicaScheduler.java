package io.longhorn.manager.scheduling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Chooses a disk for a new replica. Pure: no store, no I/O.
 *
 * <p>Order of decisions, as Longhorn's: (1) disks that can take the size at all: node and disk allow
 * scheduling; the disk keeps more than the minimal-available percentage free; the volume sizes
 * promised to it stay within the over-provisioning percentage of its schedulable space.
 * (2) node anti-affinity: nodes without a healthy replica of the volume, or, when none and the
 * setting is soft, any. (3) disk anti-affinity likewise among those. (4) a disk that did not hold a
 * failed replica of the volume (a replacement should land elsewhere), then the most room left.
 * Before node anti-affinity comes zone anti-affinity, by the same rule over the nodes' zones; a node
 * without a zone counts as a zone of its own, so zones constrain only nodes that declare one.
 */
public final class ReplicaScheduler {
    private ReplicaScheduler() {
    }

    public static Placement schedule(long volumeSize, long requiredStorage, List<ExistingReplica> existing,
                                     List<DiskCandidate> disks, SchedulingPolicy policy) {
        if (disks.isEmpty()) {
            return new Placement.Unschedulable("no disk: no node has a disk");
        }
        List<DiskCandidate> enabled = disks.stream().filter(d -> d.nodeSchedulable() && d.diskSchedulable()).toList();
        if (enabled.isEmpty()) {
            return new Placement.Unschedulable("no schedulable disk: scheduling is disabled on every node or disk");
        }
        List<DiskCandidate> fitting = enabled.stream()
                .filter(d -> fits(d, volumeSize, requiredStorage, policy)).toList();
        if (fitting.isEmpty()) {
            return new Placement.Unschedulable("insufficient storage: no disk can take " + volumeSize
                    + " bytes within storage-over-provisioning-percentage " + policy.overProvisioningPercentage()
                    + " and storage-minimal-available-percentage " + policy.minimalAvailablePercentage());
        }
        Map<String, String> zoneOfNode = new HashMap<>();
        for (DiskCandidate d : disks) {
            zoneOfNode.put(d.nodeID(), d.zoneKey());
        }
        Set<String> busyZones = existing.stream().filter(r -> !r.failed())
                .map(r -> zoneOfNode.getOrDefault(r.nodeID(), "node:" + r.nodeID())).collect(Collectors.toSet());
        List<DiskCandidate> byZone = fitting.stream().filter(d -> !busyZones.contains(d.zoneKey())).toList();
        if (byZone.isEmpty()) {
            if (!policy.zoneSoftAntiAffinity()) {
                return new Placement.Unschedulable("hard zone anti-affinity: every zone with room already holds a"
                        + " replica of the volume (set replica-zone-soft-anti-affinity to allow more in one zone)");
            }
            byZone = fitting;
        }
        Set<String> busyNodes = existing.stream().filter(r -> !r.failed()).map(ExistingReplica::nodeID)
                .collect(Collectors.toSet());
        List<DiskCandidate> byNode = byZone.stream().filter(d -> !busyNodes.contains(d.nodeID())).toList();
        if (byNode.isEmpty()) {
            if (!policy.nodeSoftAntiAffinity()) {
                return new Placement.Unschedulable("hard node anti-affinity: every node with room already holds a"
                        + " replica of the volume (set replica-soft-anti-affinity to allow more on one node)");
            }
            byNode = byZone;
        }
        Set<String> busyDisks = existing.stream().filter(r -> !r.failed()).map(ExistingReplica::diskUUID)
                .collect(Collectors.toSet());
        List<DiskCandidate> byDisk = byNode.stream().filter(d -> !busyDisks.contains(d.diskUUID())).toList();
        if (byDisk.isEmpty()) {
            if (!policy.diskSoftAntiAffinity()) {
                return new Placement.Unschedulable("hard disk anti-affinity: every disk with room already holds a"
                        + " replica of the volume (set replica-disk-soft-anti-affinity to allow more on one disk)");
            }
            byDisk = byNode;
        }
        Set<String> failedDisks = existing.stream().filter(ExistingReplica::failed).map(ExistingReplica::diskUUID)
                .collect(Collectors.toSet());
        DiskCandidate best = byDisk.stream()
                .min(Comparator.comparing((DiskCandidate d) -> failedDisks.contains(d.diskUUID()))
                        .thenComparing(Comparator.comparingLong(ReplicaScheduler::room).reversed())
                        .thenComparing(DiskCandidate::nodeID)
                        .thenComparing(DiskCandidate::diskName))
                .orElseThrow();
        return new Placement.Scheduled(best);
    }

    /**
     * Places {@code count} replicas one after the other, each seeing the ones before it. Stops at
     * the first that cannot be placed.
     */
    public static List<Placement> scheduleAll(int count, long volumeSize, List<ExistingReplica> existing,
                                              List<DiskCandidate> disks, SchedulingPolicy policy) {
        List<ExistingReplica> placed = new ArrayList<>(existing);
        List<DiskCandidate> current = new ArrayList<>(disks);
        List<Placement> result = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Placement p = schedule(volumeSize, 0, placed, current, policy);
            result.add(p);
            if (!(p instanceof Placement.Scheduled s)) {
                break;
            }
            placed.add(new ExistingReplica(s.disk().nodeID(), s.disk().diskUUID(), false));
            current.replaceAll(d -> d.diskUUID().equals(s.disk().diskUUID()) ? d.plusScheduled(volumeSize) : d);
        }
        return result;
    }

    /** Whether the disk can take a replica of the size, by Longhorn's two percentages. */
    static boolean fits(DiskCandidate d, long volumeSize, long requiredStorage, SchedulingPolicy policy) {
        if (d.storageMaximum() <= 0) {
            return false;
        }
        long minimalFree = d.storageMaximum() * policy.minimalAvailablePercentage() / 100;
        if (d.storageAvailable() - requiredStorage <= minimalFree) {
            return false;
        }
        long schedulable = (d.storageMaximum() - d.storageReserved()) * policy.overProvisioningPercentage() / 100;
        return volumeSize + d.storageScheduled() <= schedulable;
    }

    private static long room(DiskCandidate d) {
        return d.storageMaximum() - d.storageReserved() - d.storageScheduled();
    }
}
