package io.longhorn.manager.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class OwnershipTest {
    private static Predicate<String> up(String... nodes) {
        return Set.of(nodes)::contains;
    }

    @Test
    void thePreferredNodeHandlesIt() {
        assertTrue(Ownership.responsible("n1", "n1", "n2", up("n1", "n2")));
        assertFalse(Ownership.responsible("n2", "n1", "n2", up("n1", "n2")), "the owner lets go to the preferred node");
        assertFalse(Ownership.responsible("n3", "n1", "", up("n1", "n2", "n3")));
    }

    @Test
    void theOwnerKeepsItWhileThePreferredNodeIsDown() {
        assertTrue(Ownership.responsible("n2", "n1", "n2", up("n2", "n3")));
        assertFalse(Ownership.responsible("n3", "n1", "n2", up("n2", "n3")));
    }

    @Test
    void anyManagerTakesItWhenBothAreDown() {
        assertTrue(Ownership.responsible("n3", "n1", "n2", up("n3")));
        assertTrue(Ownership.responsible("n3", "", "", up("n3")), "no preferred node and no owner yet");
        assertTrue(Ownership.responsible("n3", "", "n2", up("n3")));
        assertFalse(Ownership.responsible("n3", "", "n2", up("n2", "n3")), "an available owner keeps it");
    }

    @Test
    void thePreferredNodeHandlesItEvenWhenItsOwnAvailabilityIsUnknown() {
        assertTrue(Ownership.responsible("n1", "n1", "n2", up("n2")));
    }
}
