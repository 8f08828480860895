package io.longhorn.manager.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.engine.IoCounters;
import io.longhorn.api.engine.IoStats;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.service.VolumeCreate;
import io.longhorn.manager.testing.FakeEngine;
import io.longhorn.manager.testing.HarnessTest;
import io.longhorn.manager.testing.ManagerHarness;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** /metrics over the controllers and the fake engines: the I/O metrics from the engines' counters. */
class MetricsCollectorTest extends HarnessTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long SECOND = 1_000_000_000L;

    private String metrics() {
        return new MetricsCollector(m.store, m.ctx.ioRates()).collect();
    }

    private String state(String volume) {
        return m.store.get(Volume.class, volume).orElseThrow().getStatus().state;
    }

    private static IoStats counters(long uptime, long reads, long readBytes, long readNanos, long writes,
                                    long writeBytes, long writeNanos) {
        return IoStats.newBuilder().setId("engine-1").setUptimeNanos(uptime)
                .setRead(IoCounters.newBuilder().setCount(reads).setBytes(readBytes).setLatencyNanos(readNanos))
                .setWrite(IoCounters.newBuilder().setCount(writes).setBytes(writeBytes).setLatencyNanos(writeNanos))
                .setFlush(IoCounters.newBuilder().setCount(7).setLatencyNanos(70_000))
                .build();
    }

    @Test
    void ioMetricsAreRatesBetweenTwoReadingsOfTheEnginesCountersAndZeroForADetachedVolume() {
        for (String name : List.of("busy", "idle")) {
            m.volumes.create(new VolumeCreate(name, "64Mi", 1, null, null, null, null, null, null, null, null));
        }
        m.volumes.attach("busy", null, false, "test");
        await().atMost(WAIT).until(() -> "attached".equals(state("busy")) && "detached".equals(state("idle")));
        FakeEngine engine = m.cluster.engines.engineOf("busy").orElseThrow();

        engine.setIoStats(counters(10 * SECOND, 1_000, 4_096_000, 9_000_000, 2_000, 8_192_000, 50_000_000));
        await().atMost(WAIT).until(() -> m.ctx.ioRates().start("busy") != null
                && m.ctx.ioRates().start("busy").uptimeNanos() == 10 * SECOND);
        // Two seconds later on the engine's clock: 100 reads of 4 KiB taking 250 us each, and
        // 300 writes of 4 KiB taking 1.5 ms each.
        engine.setIoStats(counters(12 * SECOND, 1_100, 4_505_600, 34_000_000, 2_300, 9_420_800, 500_000_000));
        String busy = "{volume=\"busy\",node=\"" + ManagerHarness.NODE + "\",pvc=\"\",pvc_namespace=\"\"} ";
        String idle = "{volume=\"idle\",node=\"\",pvc=\"\",pvc_namespace=\"\"} ";
        await().atMost(WAIT).until(() -> metrics().contains("longhorn_volume_write_iops" + busy + "150\n"));

        List<String> lines = metrics().lines().toList();
        for (String expected : List.of(
                "# HELP longhorn_volume_read_throughput Read throughput of this volume in bytes per second",
                "# TYPE longhorn_volume_read_throughput gauge",
                "longhorn_volume_read_throughput" + busy + "204800",
                "longhorn_volume_read_throughput" + idle + "0",
                "# HELP longhorn_volume_write_throughput Write throughput of this volume in bytes per second",
                "longhorn_volume_write_throughput" + busy + "614400",
                "longhorn_volume_write_throughput" + idle + "0",
                "# HELP longhorn_volume_read_iops Read IOPS of this volume",
                "longhorn_volume_read_iops" + busy + "50",
                "longhorn_volume_read_iops" + idle + "0",
                "# TYPE longhorn_volume_write_iops gauge",
                "longhorn_volume_write_iops" + busy + "150",
                "longhorn_volume_write_iops" + idle + "0",
                "# HELP longhorn_volume_read_latency Mean read latency of this volume in nanoseconds",
                "longhorn_volume_read_latency" + busy + "250000",
                "longhorn_volume_read_latency" + idle + "0",
                "# HELP longhorn_volume_write_latency Mean write latency of this volume in nanoseconds",
                "longhorn_volume_write_latency" + busy + "1500000",
                "longhorn_volume_write_latency" + idle + "0")) {
            assertTrue(lines.contains(expected), "missing line \"" + expected + "\" in\n" + String.join("\n", lines));
        }
        assertEquals(2, lines.stream().filter(l -> l.startsWith("longhorn_volume_write_latency{")).count());

        m.volumes.detach("busy", null, false);
        await().atMost(WAIT).until(() -> "detached".equals(state("busy")));
        await().atMost(WAIT).until(() -> metrics().contains("longhorn_volume_write_iops" + busy.replace(ManagerHarness.NODE, "") + "0\n"));
        assertTrue(metrics().contains("longhorn_volume_write_latency" + busy.replace(ManagerHarness.NODE, "") + "0\n"),
                metrics());
    }
}
