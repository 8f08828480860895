package io.longhorn.manager.metrics;

import java.util.Optional;

/**
 * A volume's I/O rates over the interval between two {@link IoSample}s: operations and bytes per
 * second, and the mean latency of the operations completed in the interval, in nanoseconds.
 */
public record IoRates(double readIops, double writeIops, double readThroughput, double writeThroughput,
                      double readLatencyNanos, double writeLatencyNanos) {

    /** No I/O (and what a volume without an engine reports). */
    public static final IoRates ZERO = new IoRates(0, 0, 0, 0, 0, 0);

    /**
     * The rates from {@code earlier} to {@code later}, measured on the engine's own clock; empty when
     * they cannot be compared: another counter set (the engine restarted), a counter that went back,
     * or no time between them.
     */
    public static Optional<IoRates> between(IoSample earlier, IoSample later) {
        if (!later.continues(earlier) || later.uptimeNanos() == earlier.uptimeNanos()) {
            return Optional.empty();
        }
        double seconds = (later.uptimeNanos() - earlier.uptimeNanos()) / 1e9;
        long reads = later.readCount() - earlier.readCount();
        long writes = later.writeCount() - earlier.writeCount();
        return Optional.of(new IoRates(
                reads / seconds,
                writes / seconds,
                (later.readBytes() - earlier.readBytes()) / seconds,
                (later.writeBytes() - earlier.writeBytes()) / seconds,
                mean(later.readLatencyNanos() - earlier.readLatencyNanos(), reads),
                mean(later.writeLatencyNanos() - earlier.writeLatencyNanos(), writes)));
    }

    private static double mean(long nanos, long count) {
        return count == 0 ? 0 : (double) nanos / count;
    }
}
