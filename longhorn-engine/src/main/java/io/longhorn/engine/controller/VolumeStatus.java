package io.longhorn.engine.controller;

import io.longhorn.engine.frontend.IoStats;
import java.util.List;

/**
 * The volume as {@code info} shows it.
 *
 * @param state "healthy" (all replicas RW), "degraded" (some WO or ERR) or "faulted" (no RW)
 * @param io    client I/O counters since the engine started
 */
public record VolumeStatus(String name, long size, int sectorSize, String frontend, String endpoint,
                           boolean frontendRunning, long generation, List<ReplicaStatus> replicas, boolean rebuilding,
                           String state, IoStats.Snapshot io) {
}
