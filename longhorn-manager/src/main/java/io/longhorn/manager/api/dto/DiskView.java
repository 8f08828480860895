package io.longhorn.manager.api.dto;

import io.longhorn.manager.model.Condition;
import java.util.List;
import java.util.Map;

/** A disk of a node: its path, switches, capacity (bytes) and the replicas scheduled on it. */
public record DiskView(String path, String diskType, boolean allowScheduling, boolean evictionRequested,
                       long storageReserved, long storageMaximum, long storageAvailable, long storageScheduled,
                       String diskUUID, List<String> tags, Map<String, Long> scheduledReplica,
                       Map<String, Condition> conditions) {
}
