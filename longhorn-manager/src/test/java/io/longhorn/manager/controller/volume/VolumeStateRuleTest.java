package io.longhorn.manager.controller.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VolumeStateRuleTest {
    @Test
    void statesFollowTheDesireAndWhatRuns() {
        assertEquals("deleting", VolumeStateRule.of(true, true, true, true, true));
        assertEquals("creating", VolumeStateRule.of(false, false, false, false, false));
        assertEquals("attaching", VolumeStateRule.of(false, true, true, false, true));
        assertEquals("attached", VolumeStateRule.of(false, true, true, true, true));
        assertEquals("detaching", VolumeStateRule.of(false, true, false, false, true));
        assertEquals("detached", VolumeStateRule.of(false, true, false, false, false));
    }
}
