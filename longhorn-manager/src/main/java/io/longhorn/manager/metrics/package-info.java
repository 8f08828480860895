/**
 * Prometheus metrics at {@code /metrics} with Longhorn's metric names: volume state, robustness,
 * size and capacity; node and disk status and capacity; backup state; rebuild progress.
 */
package io.longhorn.manager.metrics;
