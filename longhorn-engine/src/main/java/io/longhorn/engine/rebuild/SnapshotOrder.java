package io.longhorn.engine.rebuild;

import io.longhorn.api.replica.SnapshotInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Orders a replica's snapshots parents before children, as RebuildPrepare wants them. */
public final class SnapshotOrder {

    private SnapshotOrder() {
    }

    /**
     * The snapshots (not the head) of {@code all}, each after its parent; siblings by creation time
     * then name. A snapshot whose parent is not in the list counts as a root.
     */
    public static List<SnapshotInfo> parentsFirst(List<SnapshotInfo> all) {
        Map<String, SnapshotInfo> byName = new HashMap<>();
        for (SnapshotInfo s : all) {
            if (!s.getHead()) {
                byName.put(s.getName(), s);
            }
        }
        Map<String, List<SnapshotInfo>> children = new HashMap<>();
        List<SnapshotInfo> roots = new ArrayList<>();
        for (SnapshotInfo s : byName.values()) {
            if (s.getParent().isEmpty() || !byName.containsKey(s.getParent())) {
                roots.add(s);
            } else {
                children.computeIfAbsent(s.getParent(), k -> new ArrayList<>()).add(s);
            }
        }
        Comparator<SnapshotInfo> order = Comparator.comparing(SnapshotInfo::getCreated).thenComparing(SnapshotInfo::getName);
        List<SnapshotInfo> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<SnapshotInfo> level = new ArrayList<>(roots);
        level.sort(order);
        // Breadth first: every parent is emitted before any of its children.
        while (!level.isEmpty()) {
            List<SnapshotInfo> next = new ArrayList<>();
            for (SnapshotInfo s : level) {
                if (seen.add(s.getName())) {
                    out.add(s);
                    next.addAll(children.getOrDefault(s.getName(), List.of()));
                }
            }
            next.sort(order);
            level = next;
        }
        return out;
    }
}
