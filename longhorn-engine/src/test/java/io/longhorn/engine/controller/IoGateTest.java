package io.longhorn.engine.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IoGateTest {

    @Test
    void pauseWaitsForRequestsInFlightAndHoldsNewOnesUntilResume() throws Exception {
        IoGate gate = new IoGate();
        assertTrue(gate.tryEnter());
        CompletableFuture<Void> paused = CompletableFuture.runAsync(() -> {
            try {
                gate.pause(Duration.ofSeconds(10));
            } catch (TimeoutException e) {
                throw new IllegalStateException(e);
            }
        });
        org.awaitility.Awaitility.await().until(gate::isPaused);
        assertFalse(paused.isDone(), "paused while a request was in flight");

        AtomicInteger ran = new AtomicInteger();
        assertFalse(gate.tryEnter(), "a new request gets in while pausing");
        gate.defer(ran::incrementAndGet);
        gate.exit();
        paused.get(5, TimeUnit.SECONDS);
        assertEquals(0, ran.get());

        gate.resume();
        assertEquals(1, ran.get(), "the held request runs on resume");
        assertTrue(gate.tryEnter());
        gate.exit();
        assertEquals(0, gate.inflight());
    }

    @Test
    void pauseGivesUpAfterItsTimeoutAndReopens() {
        IoGate gate = new IoGate();
        assertTrue(gate.tryEnter());
        assertThrows(TimeoutException.class, () -> gate.pause(Duration.ofMillis(50)));
        assertFalse(gate.isPaused());
        gate.exit();
    }
}
