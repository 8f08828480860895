package io.longhorn.manager.controller.volume;

import io.longhorn.manager.model.Replica;
import io.longhorn.manager.store.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Which replica to remove or to salvage. Pure. */
public final class ReplicaPicker {
    /** Replicas that failed within this window of the last one are salvaged together. */
    static final Duration SALVAGE_WINDOW = Duration.ofMinutes(1);

    private ReplicaPicker() {
    }

    /**
     * The replica to remove when a volume has more than it wants: a failed one first, then one not
     * in sync (WO or unknown to the engine), then one on the node holding the most replicas of the
     * volume, then one sharing a disk, then the newest.
     *
     * @param modes the engine's mode by replica name (empty when detached)
     */
    public static Optional<Replica> toRemove(List<Replica> replicas, Map<String, String> modes) {
        return toRemove(replicas, modes, Map.of());
    }

    /**
     * As {@link #toRemove(List, Map)}, where sharing a zone counts before sharing a node, and the
     * most crowded zone, then node, gives up a replica first (so that auto-balance removes from where
     * it added to relieve).
     *
     * @param zoneOfNode node name to zone; a node without one is a zone of its own
     */
    public static Optional<Replica> toRemove(List<Replica> replicas, Map<String, String> modes,
                                             Map<String, String> zoneOfNode) {
        Function<Replica, String> zone = r -> {
            String z = zoneOfNode.getOrDefault(r.getSpec().nodeID, "");
            return z.isEmpty() ? "node:" + r.getSpec().nodeID : z;
        };
        Map<String, Long> perZone = replicas.stream().filter(r -> r.getSpec().failedAt.isEmpty())
                .collect(Collectors.groupingBy(zone, Collectors.counting()));
        Map<String, Long> perNode = replicas.stream().filter(r -> r.getSpec().failedAt.isEmpty())
                .collect(Collectors.groupingBy(r -> r.getSpec().nodeID, Collectors.counting()));
        Map<String, Long> perDisk = replicas.stream().filter(r -> r.getSpec().failedAt.isEmpty())
                .collect(Collectors.groupingBy(r -> r.getSpec().diskID, Collectors.counting()));
        Function<Replica, String> created = r -> {
            String ts = r.getMetadata().getCreationTimestamp();
            return ts == null ? "" : ts;
        };
        return replicas.stream().min(Comparator
                .comparing((Replica r) -> r.getSpec().failedAt.isEmpty())
                .thenComparing(r -> modes.isEmpty() || ReplicaMode.RW.equals(modes.get(Resources.name(r))))
                .thenComparing(r -> -perZone.getOrDefault(zone.apply(r), 0L))
                .thenComparing(r -> -perNode.getOrDefault(r.getSpec().nodeID, 0L))
                .thenComparing(r -> perDisk.getOrDefault(r.getSpec().diskID, 0L) <= 1)
                .thenComparing(created, Comparator.reverseOrder())
                .thenComparing(Resources::name));
    }

    /**
     * The failed replicas to bring back when every replica failed: those that were healthy once and
     * failed last (within {@link #SALVAGE_WINDOW} of the last failure), since they hold the newest
     * data. Empty when none was ever healthy.
     */
    public static List<Replica> toSalvage(List<Replica> replicas) {
        List<Replica> candidates = replicas.stream()
                .filter(r -> !r.getSpec().failedAt.isEmpty() && !r.getSpec().healthyAt.isEmpty())
                .toList();
        Optional<Instant> last = candidates.stream().map(ReplicaPicker::failedAt).max(Comparator.naturalOrder());
        if (last.isEmpty()) {
            return List.of();
        }
        Instant cutoff = last.get().minus(SALVAGE_WINDOW);
        return candidates.stream().filter(r -> !failedAt(r).isBefore(cutoff)).toList();
    }

    private static Instant failedAt(Replica r) {
        try {
            return Instant.parse(r.getSpec().failedAt);
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }
}
