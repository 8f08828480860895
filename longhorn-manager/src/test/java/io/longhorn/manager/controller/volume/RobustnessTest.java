package io.longhorn.manager.controller.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RobustnessTest {
    @Test
    void allWantedReplicasRwIsHealthy() {
        assertEquals("healthy", Robustness.of(true, 3, List.of("RW", "RW", "RW"), 3, 0));
    }

    @Test
    void aRebuildingOrMissingReplicaMakesItDegraded() {
        assertEquals("degraded", Robustness.of(true, 3, List.of("RW", "RW", "WO"), 3, 0));
        assertEquals("degraded", Robustness.of(true, 3, List.of("RW", "RW"), 3, 1));
        assertEquals("degraded", Robustness.of(true, 3, List.of("RW", "", ""), 3, 0));
    }

    @Test
    void noRwReplicaIsFaulted() {
        assertEquals("faulted", Robustness.of(true, 2, List.of("ERR", "WO"), 2, 0));
        assertEquals("faulted", Robustness.of(true, 1, List.of(), 1, 1));
    }

    @Test
    void moreRwReplicasThanWantedIsStillHealthy() {
        assertEquals("healthy", Robustness.of(true, 2, List.of("RW", "RW", "RW"), 3, 0));
    }

    @Test
    void detachedIsUnknownUnlessEveryReplicaFailed() {
        assertEquals("unknown", Robustness.of(false, 3, List.of(), 3, 1));
        assertEquals("unknown", Robustness.of(false, 3, List.of(), 0, 0));
        assertEquals("faulted", Robustness.of(false, 3, List.of(), 3, 3));
    }
}
