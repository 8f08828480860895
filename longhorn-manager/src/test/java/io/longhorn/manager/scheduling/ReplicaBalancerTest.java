package io.longhorn.manager.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.scheduling.ReplicaBalancer.Mode;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReplicaBalancerTest {
    private static final long GiB = 1L << 30;
    private static final SchedulingPolicy POLICY = new SchedulingPolicy(100, 25, true, true, true);

    private static DiskCandidate disk(String node, String zone) {
        return new DiskCandidate(node, "a", node + "-a", "/d/" + node, true, true, 100 * GiB, 90 * GiB, 0, 0, zone);
    }

    private static ExistingReplica on(String node) {
        return new ExistingReplica(node, node + "-a", false);
    }

    private static Set<String> nodes(List<DiskCandidate> disks) {
        return disks.stream().map(DiskCandidate::nodeID).collect(Collectors.toSet());
    }

    @Test
    void disabledNeverMovesAnything() {
        var disks = List.of(disk("n1", ""), disk("n2", ""));
        assertTrue(ReplicaBalancer.targets(Mode.DISABLED, List.of(on("n1"), on("n1")), disks, GiB, POLICY).isEmpty());
    }

    @Test
    void leastEffortMovesAReplicaOffACrowdedNodeOnlyToAnEmptyOne() {
        var disks = List.of(disk("n1", ""), disk("n2", ""), disk("n3", ""));
        assertEquals(Set.of("n2", "n3"), nodes(ReplicaBalancer.targets(Mode.LEAST_EFFORT,
                List.of(on("n1"), on("n1"), on("n1")), disks, GiB, POLICY)));
        // Every node holds one already: minimal redundancy is reached, 2-1-0 would need an empty node.
        var two = List.of(disk("n1", ""), disk("n2", ""));
        assertTrue(ReplicaBalancer.targets(Mode.LEAST_EFFORT, List.of(on("n1"), on("n1"), on("n2")), two, GiB, POLICY)
                .isEmpty());
    }

    @Test
    void bestEffortAlsoEvensOutNodesThatDifferByTwoOrMore() {
        var two = List.of(disk("n1", ""), disk("n2", ""));
        assertEquals(Set.of("n2"), nodes(ReplicaBalancer.targets(Mode.BEST_EFFORT,
                List.of(on("n1"), on("n1"), on("n1"), on("n2")), two, GiB, POLICY)));
        assertTrue(ReplicaBalancer.targets(Mode.BEST_EFFORT, List.of(on("n1"), on("n1"), on("n2")), two, GiB, POLICY)
                .isEmpty(), "2-1 is as even as three replicas on two nodes get");
    }

    @Test
    void zonesAreBalancedBeforeNodes() {
        var disks = List.of(disk("n1", "z1"), disk("n2", "z1"), disk("n3", "z2"));
        assertEquals(Set.of("n3"), nodes(ReplicaBalancer.targets(Mode.LEAST_EFFORT, List.of(on("n1"), on("n2")), disks,
                GiB, POLICY)));
    }

    @Test
    void aNodeThatCannotTakeTheVolumeIsNoTarget() {
        var full = new DiskCandidate("n2", "a", "n2-a", "/d/n2", true, true, 100 * GiB, 10 * GiB, 0, 0, "");
        var off = new DiskCandidate("n3", "a", "n3-a", "/d/n3", false, true, 100 * GiB, 90 * GiB, 0, 0, "");
        assertTrue(ReplicaBalancer.targets(Mode.BEST_EFFORT, List.of(on("n1"), on("n1")),
                List.of(disk("n1", ""), full, off), GiB, POLICY).isEmpty());
    }
}
