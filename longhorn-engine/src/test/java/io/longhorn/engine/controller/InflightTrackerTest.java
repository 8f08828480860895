package io.longhorn.engine.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InflightTrackerTest {

    @Test
    void requestIsOverdueOnlyAfterAFullTimeoutOfTicks() {
        InflightTracker t = new InflightTracker();
        int token = t.begin();
        for (int i = 0; i < InflightTracker.SLICES_PER_TIMEOUT; i++) {
            assertFalse(t.tickAndCheckOverdue(), "overdue after " + (i + 1) + " ticks");
        }
        assertTrue(t.tickAndCheckOverdue());
        t.end(token);
        assertFalse(t.tickAndCheckOverdue());
        assertEquals(0, t.inflight());
    }

    @Test
    void answeredRequestsNeverCountAsOverdueEvenAcrossManyTicks() {
        InflightTracker t = new InflightTracker();
        for (int i = 0; i < 100; i++) {
            int token = t.begin();
            assertFalse(t.tickAndCheckOverdue());
            t.end(token);
        }
        int slow = t.begin();
        for (int i = 0; i < 3; i++) {
            int fast = t.begin();
            t.end(fast);
            assertFalse(t.tickAndCheckOverdue());
        }
        t.end(slow);
        for (int i = 0; i < 10; i++) {
            assertFalse(t.tickAndCheckOverdue());
        }
    }
}
