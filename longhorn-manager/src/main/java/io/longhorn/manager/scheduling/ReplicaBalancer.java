package io.longhorn.manager.scheduling;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Replica auto-balance ({@code replica-auto-balance}): where one more replica of a healthy volume
 * should go so that, once it is rebuilt and the replica on the most crowded node (or zone) is
 * removed, the replicas are spread better. Pure.
 *
 * <ul>
 *   <li>{@code least-effort}: minimal redundancy. When a zone holds two or more replicas of the
 *       volume while a usable zone holds none, a replica goes to an empty zone; likewise for nodes.</li>
 *   <li>{@code best-effort}: that, and even redundancy. When the most loaded zone (node) holds at
 *       least two replicas more than the least loaded usable one, a replica goes to the least
 *       loaded.</li>
 * </ul>
 * A node without a zone is a zone of its own ({@link DiskCandidate#zoneKey()}). Usable: the node and
 * disk allow scheduling and the disk can take the volume ({@link ReplicaScheduler#fits}).
 */
public final class ReplicaBalancer {
    private ReplicaBalancer() {
    }

    public enum Mode {
        DISABLED, LEAST_EFFORT, BEST_EFFORT;

        public static Mode parse(String value) {
            return switch (value == null ? "" : value) {
                case "least-effort" -> LEAST_EFFORT;
                case "best-effort" -> BEST_EFFORT;
                default -> DISABLED;
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * The disks a balancing replica may go to; empty when the volume is balanced enough (or nothing
     * better is usable).
     *
     * @param healthy the volume's healthy replicas (failed ones do not count)
     */
    public static List<DiskCandidate> targets(Mode mode, List<ExistingReplica> healthy, List<DiskCandidate> disks,
                                              long volumeSize, SchedulingPolicy policy) {
        if (mode == Mode.DISABLED || healthy.isEmpty()) {
            return List.of();
        }
        List<DiskCandidate> usable = disks.stream().filter(d -> d.nodeSchedulable() && d.diskSchedulable())
                .filter(d -> ReplicaScheduler.fits(d, volumeSize, 0, policy)).toList();
        if (usable.isEmpty()) {
            return List.of();
        }
        Map<String, String> zoneOfNode = new HashMap<>();
        for (DiskCandidate d : disks) {
            zoneOfNode.put(d.nodeID(), d.zoneKey());
        }
        Function<ExistingReplica, String> zoneOf = r -> zoneOfNode.getOrDefault(r.nodeID(), "node:" + r.nodeID());
        List<DiskCandidate> byZone = level(mode, healthy, usable, zoneOf, DiskCandidate::zoneKey);
        if (!byZone.isEmpty()) {
            return byZone;
        }
        return level(mode, healthy, usable, ExistingReplica::nodeID, DiskCandidate::nodeID);
    }

    /** The usable disks in the least loaded groups (zones or nodes), when moving one there helps. */
    private static List<DiskCandidate> level(Mode mode, List<ExistingReplica> healthy, List<DiskCandidate> usable,
                                             Function<ExistingReplica, String> groupOfReplica,
                                             Function<DiskCandidate, String> groupOfDisk) {
        Map<String, Integer> count = new HashMap<>();
        for (ExistingReplica r : healthy) {
            count.merge(groupOfReplica.apply(r), 1, Integer::sum);
        }
        int max = count.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int min = usable.stream().mapToInt(d -> count.getOrDefault(groupOfDisk.apply(d), 0)).min().orElse(max);
        boolean helps = mode == Mode.LEAST_EFFORT ? max >= 2 && min == 0 : max - min >= 2;
        if (!helps) {
            return List.of();
        }
        return usable.stream().filter(d -> count.getOrDefault(groupOfDisk.apply(d), 0) == min).toList();
    }
}
