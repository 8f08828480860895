package io.longhorn.engine.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.engine.controller.StartupRule.Observation;
import io.longhorn.engine.controller.StartupRule.Plan;
import io.longhorn.engine.controller.StartupRule.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupRuleTest {

    static Observation replica(String address, long generation) {
        return Observation.of(address, ReplicaInfo.newBuilder().setSize(1 << 20).setGeneration(generation).build());
    }

    static List<Role> roles(Plan p) {
        return p.decisions().stream().map(StartupRule.Decision::role).toList();
    }

    @Test
    void onlyReplicasWithTheHighestGenerationMayServe() {
        Plan p = StartupRule.plan(List.of(replica("a", 4), replica("b", 6), replica("c", 6)));
        assertEquals(List.of(Role.ERR, Role.RW, Role.RW), roles(p));
        assertTrue(p.decisions().getFirst().reason().contains("stale"));
        assertEquals(7, p.generation(), "the next odd generation");
        assertNull(p.source());
    }

    @Test
    void afterAnUncleanStopTheFirstTopReplicaIsTheSourceAndTheOthersAreResynchronised() {
        Plan p = StartupRule.plan(List.of(replica("a", 3), replica("b", 5), replica("c", 5)));
        assertEquals(List.of(Role.ERR, Role.RW, Role.RESYNC), roles(p));
        assertEquals("b", p.source());
        assertEquals(7, p.generation());
    }

    @Test
    void aSingleTopReplicaNeedsNoResyncEvenAfterAnUncleanStop() {
        Plan p = StartupRule.plan(List.of(replica("a", 5), replica("b", 3)));
        assertEquals(List.of(Role.RW, Role.ERR), roles(p));
        assertNull(p.source());
    }

    @Test
    void freshReplicasStartCleanAtGenerationOne() {
        Plan p = StartupRule.plan(List.of(replica("a", 0), replica("b", 0)));
        assertEquals(List.of(Role.RW, Role.RW), roles(p));
        assertEquals(1, p.generation());
        assertEquals(1 << 20, p.size());
    }

    @Test
    void unreachableErroredAndRebuildingReplicasAreErr() {
        Plan p = StartupRule.plan(List.of(
                Observation.unreachable("a", "connection refused"),
                Observation.of("b", ReplicaInfo.newBuilder().setSize(1 << 20).setGeneration(1).setRebuilding(true).build()),
                Observation.of("c", ReplicaInfo.newBuilder().setSize(1 << 20).setGeneration(2).setError("disk gone").build()),
                replica("d", 2)));
        assertEquals(List.of(Role.ERR, Role.ERR, Role.ERR, Role.RW), roles(p));
        assertTrue(p.decisions().get(0).reason().contains("connection refused"));
        assertTrue(p.decisions().get(1).reason().contains("rebuild"));
        assertTrue(p.decisions().get(2).reason().contains("disk gone"));
        assertEquals(3, p.generation());
        assertEquals("", p.refused());
    }

    @Test
    void anErroredReplicaWithAHigherGenerationMakesTheOthersStale() {
        Plan p = StartupRule.plan(List.of(
                Observation.of("c", ReplicaInfo.newBuilder().setSize(1 << 20).setGeneration(9).setError("disk gone").build()),
                Observation.of("b", ReplicaInfo.newBuilder().setSize(1 << 20).setGeneration(9).setRebuilding(true).build()),
                replica("d", 2)));
        assertEquals(List.of(Role.ERR, Role.ERR, Role.ERR), roles(p));
        assertFalse(p.hasRw());
        assertTrue(p.refused().contains("generation 9"), p.refused());
        assertTrue(p.refused().contains("d generation 2"), p.refused());
        assertTrue(p.decisions().get(2).reason().contains("stale"));
    }

    @Test
    void replicasBelowTheMinimumGenerationMayNotServe() {
        Plan p = StartupRule.plan(List.of(replica("a", 5), replica("b", 5)), 7, false);
        assertFalse(p.hasRw());
        assertTrue(p.refused().contains("minimum generation 7"), p.refused());
        assertTrue(p.refused().contains("a generation 5"), p.refused());
        assertEquals("", p.salvaged());
    }

    @Test
    void replicasAtTheMinimumGenerationServe() {
        Plan p = StartupRule.plan(List.of(replica("a", 8), replica("b", 8)), 7, false);
        assertEquals(List.of(Role.RW, Role.RW), roles(p));
        assertEquals(9, p.generation());
    }

    @Test
    void aSalvageServesTheBestUsableReplicasAndSaysWhatItGivesUp() {
        Plan p = StartupRule.plan(List.of(
                Observation.of("c", ReplicaInfo.newBuilder().setSize(1 << 20).setGeneration(9).setError("disk gone").build()),
                replica("d", 3), replica("e", 2)), 11, true);
        assertEquals(List.of(Role.ERR, Role.RW, Role.ERR), roles(p));
        assertEquals("", p.refused());
        assertTrue(p.salvaged().contains("generation 3"), p.salvaged());
        assertTrue(p.salvaged().contains("11"), p.salvaged());
        assertEquals(13, p.generation(), "above every generation recorded before, so the salvaged content is unique");
    }

    @Test
    void aSalvageThatIsNotNeededIsAnOrdinaryStart() {
        Plan p = StartupRule.plan(List.of(replica("a", 6), replica("b", 6)), 6, true);
        assertEquals(List.of(Role.RW, Role.RW), roles(p));
        assertEquals("", p.salvaged());
        assertEquals(7, p.generation());
    }

    @Test
    void everyStartRecordsAGenerationAboveEveryOneSeen() {
        // An unclean stop at 5 left a at 5; a start over b alone recorded 7 on b, which is down now.
        // Knowing 7, the next start may not record 7 again on a: it refuses, and a salvage moves to 9.
        Plan refused = StartupRule.plan(List.of(replica("a", 5)), 7, false);
        assertFalse(refused.hasRw());
        Plan salvaged = StartupRule.plan(List.of(replica("a", 5)), 7, true);
        assertEquals(9, salvaged.generation());
    }

    @Test
    void replicaOfAnotherSizeIsErr() {
        Plan p = StartupRule.plan(List.of(replica("a", 2),
                Observation.of("b", ReplicaInfo.newBuilder().setSize(2 << 20).setGeneration(2).build())));
        assertEquals(List.of(Role.RW, Role.ERR), roles(p));
        assertTrue(p.decisions().get(1).reason().contains("size"));
    }

    @Test
    void noUsableReplicaMeansNoRw() {
        Plan p = StartupRule.plan(List.of(Observation.unreachable("a", "timeout")));
        assertFalse(p.hasRw());
    }

    @Test
    void cleanShutdownMovesToTheNextEvenGeneration() {
        assertEquals(8, StartupRule.cleanGeneration(7));
        assertEquals(8, StartupRule.cleanGeneration(8));
    }
}
