package io.longhorn.engine.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IoStatsTest {

    @Test
    void requestsRecordedByManyThreadsAtOnceAreAllCounted() throws Exception {
        IoStats stats = new IoStats();
        int threads = 4;
        int perThread = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perThread; i++) {
                        stats.write().record(4096, false, 1_000);
                        stats.read().record(512, false, 3);
                    }
                }, pool));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        IoStats.Snapshot s = stats.snapshot();
        long n = (long) threads * perThread;
        assertEquals(new IoStats.Counters(n, n * 4096, 0, n * 1_000), s.write());
        assertEquals(new IoStats.Counters(n, n * 512, 0, n * 3), s.read());
        assertEquals(IoStats.Counters.ZERO, s.flush());
        assertEquals(IoStats.Counters.ZERO, s.trim());
        assertEquals(IoStats.Counters.ZERO, s.writeZeroes());
        assertEquals(1.0, s.write().meanMicros());
    }

    @Test
    void failedRequestsCountWithTheirLatencyButMoveNoBytes() {
        IoStats stats = new IoStats();
        stats.read().record(4096, false, 100);
        stats.read().record(4096, true, 900);
        assertEquals(new IoStats.Counters(2, 4096, 1, 1000), stats.snapshot().read());
        assertEquals(0.5, stats.snapshot().read().meanMicros());
        assertEquals(0.0, stats.snapshot().trim().meanMicros(), "no requests: no mean");
    }

    @Test
    void eachSetOfCountersHasItsOwnIdAndAnUptimeThatNeverGoesBack() {
        IoStats a = new IoStats();
        IoStats b = new IoStats();
        assertNotEquals(a.snapshot().id(), b.snapshot().id());
        assertEquals(a.snapshot().id(), a.snapshot().id());
        long first = a.snapshot().uptimeNanos();
        assertTrue(first >= 0);
        assertTrue(a.snapshot().uptimeNanos() >= first);
    }
}
