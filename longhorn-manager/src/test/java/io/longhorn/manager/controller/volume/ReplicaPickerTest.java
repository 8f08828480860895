package io.longhorn.manager.controller.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.model.Replica;
import io.longhorn.manager.store.Resources;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplicaPickerTest {
    private static Replica replica(String name, String node, String disk, String created) {
        Replica r = Resources.create(Replica.class, name);
        r.getSpec().nodeID = node;
        r.getSpec().diskID = disk;
        r.getMetadata().setCreationTimestamp(created);
        return r;
    }

    private static Replica failed(Replica r, String failedAt, String healthyAt) {
        r.getSpec().failedAt = failedAt;
        r.getSpec().healthyAt = healthyAt;
        return r;
    }

    @Test
    void aFailedReplicaIsRemovedFirst() {
        var a = replica("a", "n1", "d1", "2024-01-01T00:00:00Z");
        var b = failed(replica("b", "n2", "d2", "2024-01-01T00:00:00Z"), "2024-01-02T00:00:00Z", "");
        var c = replica("c", "n3", "d3", "2024-01-01T00:00:00Z");
        assertEquals("b", Resources.name(ReplicaPicker.toRemove(List.of(a, b, c), Map.of()).orElseThrow()));
    }

    @Test
    void aReplicaNotInSyncGoesBeforeAnRwOne() {
        var a = replica("a", "n1", "d1", "2024-01-01T00:00:00Z");
        var b = replica("b", "n2", "d2", "2024-01-01T00:00:00Z");
        var modes = Map.of("a", "RW", "b", "WO");
        assertEquals("b", Resources.name(ReplicaPicker.toRemove(List.of(a, b), modes).orElseThrow()));
    }

    @Test
    void aReplicaSharingANodeGoesBeforeOneAloneOnItsNode() {
        var a = replica("a", "n1", "d1", "2024-01-01T00:00:00Z");
        var b = replica("b", "n1", "d2", "2024-01-01T00:00:00Z");
        var c = replica("c", "n2", "d3", "2024-01-03T00:00:00Z");
        var modes = Map.of("a", "RW", "b", "RW", "c", "RW");
        String removed = Resources.name(ReplicaPicker.toRemove(List.of(a, b, c), modes).orElseThrow());
        assertTrue(removed.equals("a") || removed.equals("b"), removed);
    }

    @Test
    void amongEqualsTheNewestGoes() {
        var a = replica("a", "n1", "d1", "2024-01-01T00:00:00Z");
        var b = replica("b", "n2", "d2", "2024-01-05T00:00:00Z");
        var c = replica("c", "n3", "d3", "2024-01-03T00:00:00Z");
        var modes = Map.of("a", "RW", "b", "RW", "c", "RW");
        assertEquals("b", Resources.name(ReplicaPicker.toRemove(List.of(a, b, c), modes).orElseThrow()));
    }

    @Test
    void salvageBringsBackTheReplicasThatWereHealthyAndFailedLast() {
        var early = failed(replica("early", "n1", "d1", ""), "2024-01-01T00:00:00Z", "2023-12-31T00:00:00Z");
        var late1 = failed(replica("late1", "n1", "d1", ""), "2024-01-01T01:00:00Z", "2023-12-31T00:00:00Z");
        var late2 = failed(replica("late2", "n1", "d1", ""), "2024-01-01T01:00:30Z", "2023-12-31T00:00:00Z");
        var neverHealthy = failed(replica("new", "n1", "d1", ""), "2024-01-01T01:00:40Z", "");
        var chosen = ReplicaPicker.toSalvage(List.of(early, late1, late2, neverHealthy)).stream().map(Resources::name).toList();
        assertEquals(List.of("late1", "late2"), chosen);
    }

    @Test
    void nothingToSalvageWhenNoReplicaWasEverHealthy() {
        var r = failed(replica("r", "n1", "d1", ""), "2024-01-01T00:00:00Z", "");
        assertTrue(ReplicaPicker.toSalvage(List.of(r)).isEmpty());
    }

    @Test
    void theMostCrowdedZoneThenNodeGivesUpAReplicaFirst() {
        var a = replica("a", "n1", "d1", "2024-01-01T00:00:00Z");
        var b = replica("b", "n1", "d2", "2024-01-01T00:00:00Z");
        var c = replica("c", "n1", "d3", "2024-01-01T00:00:00Z");
        var d = replica("d", "n2", "d4", "2024-01-01T00:00:00Z");
        var e = replica("e", "n2", "d5", "2024-01-03T00:00:00Z");
        var removed = ReplicaPicker.toRemove(List.of(a, b, c, d, e), Map.of()).orElseThrow();
        assertEquals("n1", removed.getSpec().nodeID, "the newest is on n2, but n1 holds more");
        var zones = Map.of("n1", "z1", "n2", "z2", "n3", "z2");
        var f = replica("f", "n3", "d6", "2024-01-01T00:00:00Z");
        removed = ReplicaPicker.toRemove(List.of(a, d, f), Map.of(), zones).orElseThrow();
        assertTrue(Set.of("d", "f").contains(Resources.name(removed)), "z2 holds d and f: " + Resources.name(removed));
    }
}
