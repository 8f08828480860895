package io.longhorn.csi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * A publish that runs out of time while the volume is still attaching leaves the attach going (the
 * retry waits for it again); any other failure undoes it.
 */
class PublishRetryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode volume(String state, String robustness) {
        return JSON.createObjectNode().put("state", state).put("robustness", robustness);
    }

    @Test
    void aTimeoutWhileAttachingKeepsTheAttach() {
        assertTrue(ControllerService.stillAttaching(Errors.deadline("gave up after 90 s"), volume("attaching", "unknown")));
    }

    @Test
    void aFaultedOrDetachedVolumeOrAnotherErrorIsUndone() {
        assertFalse(ControllerService.stillAttaching(Errors.deadline("gave up"), volume("attaching", "faulted")));
        assertFalse(ControllerService.stillAttaching(Errors.deadline("gave up"), volume("detached", "unknown")));
        assertFalse(ControllerService.stillAttaching(Errors.internal("engine failed"), volume("attaching", "unknown")));
        assertFalse(ControllerService.stillAttaching(new IllegalStateException("boom"), volume("attaching", "unknown")));
    }
}
