package io.longhorn.manager.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReplicaSchedulerTest {
    private static final long GiB = 1L << 30;
    private static final SchedulingPolicy HARD = new SchedulingPolicy(100, 25, false, false);
    private static final SchedulingPolicy SOFT = new SchedulingPolicy(100, 25, true, true);

    private static DiskCandidate disk(String node, String name, long max, long available) {
        return new DiskCandidate(node, name, node + "-" + name, "/d/" + node + "/" + name, true, true, max, available, 0, 0);
    }

    private static String where(Placement p) {
        return ((Placement.Scheduled) p).disk().diskUUID();
    }

    @Test
    void replicasSpreadAcrossNodesBeforeDisks() {
        var disks = List.of(disk("n1", "a", 100 * GiB, 90 * GiB), disk("n1", "b", 100 * GiB, 90 * GiB),
                disk("n2", "a", 100 * GiB, 50 * GiB), disk("n3", "a", 100 * GiB, 50 * GiB));
        var placed = ReplicaScheduler.scheduleAll(3, GiB, List.of(), disks, HARD);
        Set<String> nodes = placed.stream().map(p -> ((Placement.Scheduled) p).disk().nodeID()).collect(Collectors.toSet());
        assertEquals(Set.of("n1", "n2", "n3"), nodes);
    }

    @Test
    void hardNodeAntiAffinityRefusesASecondReplicaOnTheOnlyNode() {
        var disks = List.of(disk("n1", "a", 100 * GiB, 90 * GiB), disk("n1", "b", 100 * GiB, 90 * GiB));
        var placed = ReplicaScheduler.scheduleAll(2, GiB, List.of(), disks, HARD);
        assertInstanceOf(Placement.Scheduled.class, placed.get(0));
        var refused = assertInstanceOf(Placement.Unschedulable.class, placed.get(1));
        assertTrue(refused.reason().contains("replica-soft-anti-affinity"), refused.reason());
    }

    @Test
    void softNodeAntiAffinityAllowsOneNodeAndSpreadsOverItsDisks() {
        var disks = List.of(disk("n1", "a", 100 * GiB, 90 * GiB), disk("n1", "b", 100 * GiB, 90 * GiB));
        var placed = ReplicaScheduler.scheduleAll(2, GiB, List.of(), disks, SOFT);
        assertEquals(Set.of("n1-a", "n1-b"), placed.stream().map(ReplicaSchedulerTest::where).collect(Collectors.toSet()));
    }

    @Test
    void hardDiskAntiAffinityRefusesASecondReplicaOnOneDisk() {
        var disks = List.of(disk("n1", "a", 100 * GiB, 90 * GiB));
        var policy = new SchedulingPolicy(100, 25, true, false);
        var placed = ReplicaScheduler.scheduleAll(2, GiB, List.of(), disks, policy);
        var refused = assertInstanceOf(Placement.Unschedulable.class, placed.get(1));
        assertTrue(refused.reason().contains("replica-disk-soft-anti-affinity"), refused.reason());
    }

    @Test
    void softAntiAffinityPutsThreeReplicasOnOneDiskWhenThatIsAllThereIs() {
        var placed = ReplicaScheduler.scheduleAll(3, GiB, List.of(), List.of(disk("n1", "a", 100 * GiB, 90 * GiB)), SOFT);
        assertEquals(3, placed.stream().filter(p -> p instanceof Placement.Scheduled).count());
    }

    @Test
    void overProvisioningPercentageLimitsThePromisedSizes() {
        // Schedulable space: (100 - 20 reserved) x 100% = 80 GiB; 50 are promised already.
        var d = new DiskCandidate("n1", "a", "u", "/d", true, true, 100 * GiB, 90 * GiB, 20 * GiB, 50 * GiB);
        assertInstanceOf(Placement.Scheduled.class, ReplicaScheduler.schedule(30 * GiB, 0, List.of(), List.of(d), SOFT));
        assertInstanceOf(Placement.Unschedulable.class, ReplicaScheduler.schedule(31 * GiB, 0, List.of(), List.of(d), SOFT));
        var doubled = new SchedulingPolicy(200, 25, true, true);
        assertInstanceOf(Placement.Scheduled.class, ReplicaScheduler.schedule(100 * GiB, 0, List.of(), List.of(d), doubled));
    }

    @Test
    void aDiskBelowTheMinimalAvailablePercentageTakesNothing() {
        var full = disk("n1", "a", 100 * GiB, 25 * GiB);
        var p = ReplicaScheduler.schedule(GiB, 0, List.of(), List.of(full), SOFT);
        var refused = assertInstanceOf(Placement.Unschedulable.class, p);
        assertTrue(refused.reason().startsWith("insufficient storage"), refused.reason());
        var roomy = disk("n2", "a", 100 * GiB, 26 * GiB);
        assertEquals("n2-a", where(ReplicaScheduler.schedule(GiB, 0, List.of(), List.of(full, roomy), SOFT)));
    }

    @Test
    void nodesAndDisksWithSchedulingDisabledTakeNothing() {
        var off = new DiskCandidate("n1", "a", "u1", "/d", false, true, 100 * GiB, 90 * GiB, 0, 0);
        var diskOff = new DiskCandidate("n2", "a", "u2", "/d", true, false, 100 * GiB, 90 * GiB, 0, 0);
        assertInstanceOf(Placement.Unschedulable.class, ReplicaScheduler.schedule(GiB, 0, List.of(), List.of(off, diskOff), SOFT));
        var on = disk("n3", "a", 100 * GiB, 10 * GiB + 26 * GiB);
        assertEquals("n3-a", where(ReplicaScheduler.schedule(GiB, 0, List.of(), List.of(off, diskOff, on), SOFT)));
    }

    @Test
    void aReplacementAvoidsTheDiskOfTheReplicaThatFailed() {
        var disks = List.of(disk("n1", "a", 100 * GiB, 90 * GiB), disk("n1", "b", 100 * GiB, 40 * GiB));
        var existing = List.of(new ExistingReplica("n1", "n1-a", true));
        assertEquals("n1-b", where(ReplicaScheduler.schedule(GiB, 0, existing, disks, SOFT)));
    }

    @Test
    void failedReplicasDoNotCountForAntiAffinity() {
        var disks = List.of(disk("n1", "a", 100 * GiB, 90 * GiB), disk("n2", "a", 100 * GiB, 90 * GiB));
        var existing = List.of(new ExistingReplica("n1", "n1-a", true), new ExistingReplica("n2", "n2-a", false));
        assertEquals("n1-a", where(ReplicaScheduler.schedule(GiB, 0, existing, disks, HARD)));
    }

    @Test
    void theDiskWithTheMostRoomWinsAmongEquals() {
        var small = new DiskCandidate("n1", "a", "small", "/a", true, true, 100 * GiB, 90 * GiB, 0, 60 * GiB);
        var big = new DiskCandidate("n2", "a", "big", "/b", true, true, 100 * GiB, 90 * GiB, 0, 10 * GiB);
        assertEquals("big", where(ReplicaScheduler.schedule(GiB, 0, List.of(), List.of(small, big), HARD)));
    }

    @Test
    void noDisksAtAllIsUnschedulable() {
        assertInstanceOf(Placement.Unschedulable.class, ReplicaScheduler.schedule(GiB, 0, List.of(), List.of(), SOFT));
    }

    private static DiskCandidate zoned(String node, String zone) {
        return new DiskCandidate(node, "a", node + "-a", "/d/" + node, true, true, 100 * GiB, 90 * GiB, 0, 0, zone);
    }

    @Test
    void replicasSpreadAcrossZonesBeforeNodes() {
        var disks = List.of(zoned("n1", "z1"), zoned("n2", "z1"), zoned("n3", "z2"));
        var placed = ReplicaScheduler.scheduleAll(2, GiB, List.of(), disks, HARD);
        Set<String> zones = placed.stream().map(p -> ((Placement.Scheduled) p).disk().zone()).collect(Collectors.toSet());
        assertEquals(Set.of("z1", "z2"), zones);
    }

    @Test
    void hardZoneAntiAffinityRefusesASecondReplicaInTheOnlyZoneAndSoftAllowsIt() {
        var disks = List.of(zoned("n1", "z1"), zoned("n2", "z1"));
        var hardZone = new SchedulingPolicy(100, 25, false, false, false);
        var refused = assertInstanceOf(Placement.Unschedulable.class,
                ReplicaScheduler.scheduleAll(2, GiB, List.of(), disks, hardZone).get(1));
        assertTrue(refused.reason().contains("replica-zone-soft-anti-affinity"), refused.reason());
        var softZone = new SchedulingPolicy(100, 25, false, false, true);
        var placed = ReplicaScheduler.scheduleAll(2, GiB, List.of(), disks, softZone);
        assertEquals(Set.of("n1-a", "n2-a"), placed.stream().map(ReplicaSchedulerTest::where).collect(Collectors.toSet()));
    }

    @Test
    void nodesWithoutAZoneAreNotHeldBackByHardZoneAntiAffinity() {
        var disks = List.of(zoned("n1", ""), zoned("n2", ""), zoned("n3", ""));
        var hardZone = new SchedulingPolicy(100, 25, false, false, false);
        var placed = ReplicaScheduler.scheduleAll(3, GiB, List.of(), disks, hardZone);
        assertTrue(placed.stream().allMatch(p -> p instanceof Placement.Scheduled), placed.toString());
    }
}
