/**
 * Prometheus metrics at {@code /metrics} with Longhorn's metric names: volume state, robustness,
 * size and capacity; read/write IOPS, throughput and latency from the engines' I/O counters
 * ({@link io.longhorn.manager.metrics.VolumeIoRates}); node and disk status and capacity; backup
 * state; rebuild progress.
 */
package io.longhorn.manager.metrics;
