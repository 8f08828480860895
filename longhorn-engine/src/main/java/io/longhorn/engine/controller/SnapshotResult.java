package io.longhorn.engine.controller;

/**
 * A snapshot just taken.
 *
 * @param created     RFC 3339, the same on every replica
 * @param pauseMicros how long client I/O was held back
 * @param replicas    how many replicas took it
 */
public record SnapshotResult(String name, String created, long pauseMicros, int replicas) {
}
