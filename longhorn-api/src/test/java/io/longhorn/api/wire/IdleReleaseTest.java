package io.longhorn.api.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class IdleReleaseTest {

    @Test
    void parsesDurations() {
        assertEquals(Duration.ofSeconds(10), IdleRelease.parse("10s"));
        assertEquals(Duration.ofSeconds(7), IdleRelease.parse("7"));
        assertEquals(Duration.ofMillis(500), IdleRelease.parse("500ms"));
        assertEquals(Duration.ofMinutes(2), IdleRelease.parse("2m"));
        assertEquals(Duration.ZERO, IdleRelease.parse("0"));
    }

    @Test
    void refusesBadDurationsNamingTheProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdleRelease.parse("soon"));
        assertTrue(e.getMessage().contains("longhorn.data.idle-release"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> IdleRelease.parse("-5s"));
        assertTrue(e.getMessage().contains("longhorn.data.idle-release"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IdleRelease.start("x", Duration.ofSeconds(-1)));
    }

    @Test
    void zeroTurnsItOff() {
        assertNull(IdleRelease.start("x", Duration.ZERO, since -> {
            throw new AssertionError("a pool of a release that is off must not be asked");
        }));
    }

    @Test
    void asksEveryPoolWithTheStartOfTheIdleInterval() throws Exception {
        Duration idle = Duration.ofMillis(200);
        AtomicLong lastSince = new AtomicLong();
        AtomicInteger asked = new AtomicInteger();
        CountDownLatch twice = new CountDownLatch(2);
        long before = System.nanoTime();
        try (IdleRelease release = IdleRelease.start("test", idle, since -> {
            lastSince.set(since);
            asked.incrementAndGet();
            twice.countDown();
            return 4096;
        }, since -> 0)) {
            assertTrue(twice.await(30, TimeUnit.SECONDS), "the pool was not asked twice");
        }
        // The interval asked about ends when the question is asked: it starts at most idle before.
        assertTrue(lastSince.get() - (before - idle.toNanos()) > 0, "asked about an interval that started too early");
        assertTrue(System.nanoTime() - idle.toNanos() - lastSince.get() >= 0, "asked about an interval in the future");
        int after = asked.get();
        Thread.sleep(3 * idle.toMillis());
        assertEquals(after, asked.get(), "asked after close");
    }
}
