package io.longhorn.manager.api.dto;

import java.util.Map;

/** A snapshot (or the volume head) in a volume's tree. {@code size} is bytes as a string. */
public record SnapshotView(String id, String type, String name, String parent, Map<String, Boolean> children,
                           boolean removed, boolean usercreated, String created, String size,
                           Map<String, String> labels) {

    public static SnapshotView of(io.longhorn.manager.service.SnapshotService.SnapshotView s) {
        Map<String, Boolean> children = new java.util.LinkedHashMap<>();
        for (String c : s.children()) {
            children.put(c, true);
        }
        return new SnapshotView(s.name(), "snapshot", s.name(), s.parent(), children, s.removed(), s.usercreated(),
                s.created(), Long.toString(s.size()), s.labels());
    }
}
