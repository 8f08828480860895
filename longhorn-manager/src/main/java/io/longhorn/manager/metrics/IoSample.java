package io.longhorn.manager.metrics;

import io.longhorn.api.engine.IoStats;

/**
 * One reading of an engine's client I/O counters (totals since the engine started), as far as the
 * metrics need them.
 *
 * @param id          the engine's counter set; a different one means the engine restarted from zero
 * @param uptimeNanos the engine's monotonic clock at the reading, in nanoseconds since its counters started
 */
public record IoSample(String id, long uptimeNanos, long readCount, long readBytes, long readLatencyNanos,
                       long writeCount, long writeBytes, long writeLatencyNanos) {

    /** The counters of the engine's {@code io_stats} (engine.proto). */
    public static IoSample of(IoStats s) {
        return new IoSample(s.getId(), s.getUptimeNanos(),
                s.getRead().getCount(), s.getRead().getBytes(), s.getRead().getLatencyNanos(),
                s.getWrite().getCount(), s.getWrite().getBytes(), s.getWrite().getLatencyNanos());
    }

    /** True when no counter is smaller than in {@code earlier}: both readings count from the same start. */
    boolean continues(IoSample earlier) {
        return id.equals(earlier.id) && uptimeNanos >= earlier.uptimeNanos
                && readCount >= earlier.readCount && readBytes >= earlier.readBytes
                && readLatencyNanos >= earlier.readLatencyNanos && writeCount >= earlier.writeCount
                && writeBytes >= earlier.writeBytes && writeLatencyNanos >= earlier.writeLatencyNanos;
    }
}
