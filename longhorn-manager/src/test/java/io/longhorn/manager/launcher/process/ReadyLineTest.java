package io.longhorn.manager.launcher.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReadyLineTest {
    @Test
    void theReplicaReadyLineGivesItsAddresses() {
        var f = ReadyLine.parse("replica ready:", "replica ready: control=127.0.0.1:9502 data=tcp://127.0.0.1:9503 dir=/d size=4096")
                .orElseThrow();
        assertEquals("127.0.0.1:9502", f.get("control"));
        assertEquals("tcp://127.0.0.1:9503", f.get("data"));
    }

    @Test
    void theEngineReadyLineGivesItsEndpointEvenAfterALogPrefix() {
        var f = ReadyLine.parse("engine ready:", "12:00:00 INFO [x] engine ready: control=127.0.0.1:9501 nbd=nbd://127.0.0.1:10809/vol1")
                .orElseThrow();
        assertEquals("nbd://127.0.0.1:10809/vol1", f.get("nbd"));
    }

    @Test
    void otherLinesAreNotReadyLines() {
        assertTrue(ReadyLine.parse("engine ready:", "replica ready: control=x").isEmpty());
    }
}
