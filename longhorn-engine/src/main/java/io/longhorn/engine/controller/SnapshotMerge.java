package io.longhorn.engine.controller;

import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.replica.SnapshotInfo;
import io.longhorn.engine.rebuild.SnapshotOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Merges the snapshot lists of several replicas into the volume's list. Pure. */
final class SnapshotMerge {

    private SnapshotMerge() {
    }

    static SnapshotListing merge(List<ReplicaInfo> infos) {
        Map<String, SnapshotInfo> first = new LinkedHashMap<>();
        Map<String, Integer> count = new LinkedHashMap<>();
        Map<String, Long> size = new LinkedHashMap<>();
        String headParent = "";
        for (ReplicaInfo info : infos) {
            if (headParent.isEmpty()) {
                headParent = info.getParent();
            }
            for (SnapshotInfo s : info.getSnapshotsList()) {
                if (s.getHead()) {
                    continue;
                }
                first.putIfAbsent(s.getName(), s);
                count.merge(s.getName(), 1, Integer::sum);
                size.merge(s.getName(), s.getActualSize(), Math::max);
            }
        }
        List<SnapshotView> out = new ArrayList<>();
        for (SnapshotInfo s : SnapshotOrder.parentsFirst(new ArrayList<>(first.values()))) {
            List<String> children = s.getChildrenList().stream().filter(c -> !c.equals("volume-head")).toList();
            out.add(new SnapshotView(s.getName(), s.getParent(), children, s.getCreated(), Map.copyOf(s.getLabelsMap()),
                    s.getUserCreated(), s.getRemoved(), size.get(s.getName()), count.get(s.getName())));
        }
        return new SnapshotListing(out, headParent);
    }
}
