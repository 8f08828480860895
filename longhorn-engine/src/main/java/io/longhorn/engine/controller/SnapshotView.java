package io.longhorn.engine.controller;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of the volume as the replicas report it together.
 *
 * @param actualSize   the largest allocated size among the replicas
 * @param replicaCount how many of the RW replicas hold it (all of them, normally)
 */
public record SnapshotView(String name, String parent, List<String> children, String created, Map<String, String> labels,
                           boolean userCreated, boolean removed, long actualSize, int replicaCount) {
}
