package io.longhorn.manager.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ValidationTest {
    @Test
    void sizesAcceptBytesAndUnitsAndRoundUpToTwoMiB() {
        assertEquals(1L << 30, Validation.size("size", "1Gi"));
        assertEquals(1L << 30, Validation.size("size", "1073741824"));
        assertEquals(2L << 20, Validation.size("size", "1"));
        assertEquals(4L << 20, Validation.size("size", "3Mi"));
    }

    @Test
    void badSizesNameTheField() {
        var e = assertThrows(InvalidInputException.class, () -> Validation.size("size", "abc"));
        assertEquals("size", e.field());
        assertTrue(e.getMessage().startsWith("size: invalid size \"abc\""), e.getMessage());
        assertThrows(InvalidInputException.class, () -> Validation.size("size", "0"));
        assertThrows(InvalidInputException.class, () -> Validation.size("size", ""));
        assertThrows(InvalidInputException.class, () -> Validation.size("size", "99999999999Pi"));
    }

    @Test
    void replicaCountsAreOneToTwenty() {
        assertEquals(1, Validation.replicaCount("numberOfReplicas", 1));
        assertEquals(20, Validation.replicaCount("numberOfReplicas", 20));
        var e = assertThrows(InvalidInputException.class, () -> Validation.replicaCount("numberOfReplicas", 0));
        assertEquals("numberOfReplicas must be between 1 and 20, got 0", e.getMessage());
        assertThrows(InvalidInputException.class, () -> Validation.replicaCount("numberOfReplicas", 100));
    }
}
