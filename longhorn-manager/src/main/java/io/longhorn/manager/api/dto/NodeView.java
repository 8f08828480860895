package io.longhorn.manager.api.dto;

import io.longhorn.manager.model.Condition;
import java.util.List;
import java.util.Map;

/** A node with its disks. */
public record NodeView(String id, String type, Map<String, String> links, Map<String, String> actions, String name,
                       boolean allowScheduling, List<String> tags, String region, String zone,
                       Map<String, Condition> conditions, Map<String, DiskView> disks) {
}
