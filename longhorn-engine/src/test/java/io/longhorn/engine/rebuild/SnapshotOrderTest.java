package io.longhorn.engine.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.longhorn.api.replica.SnapshotInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotOrderTest {

    static SnapshotInfo snap(String name, String parent, String created) {
        return SnapshotInfo.newBuilder().setName(name).setParent(parent).setCreated(created).build();
    }

    @Test
    void parentsComeBeforeChildrenAndTheHeadIsLeftOut() {
        List<SnapshotInfo> tree = List.of(
                snap("c", "b", "2026-01-03T00:00:00Z"),
                SnapshotInfo.newBuilder().setName("volume-head").setParent("c").setHead(true).build(),
                snap("b2", "a", "2026-01-04T00:00:00Z"),
                snap("b", "a", "2026-01-02T00:00:00Z"),
                snap("a", "", "2026-01-01T00:00:00Z"));
        assertEquals(List.of("a", "b", "b2", "c"),
                SnapshotOrder.parentsFirst(tree).stream().map(SnapshotInfo::getName).toList());
    }

    @Test
    void snapshotWithAMissingParentCountsAsARoot() {
        assertEquals(List.of("x", "y"), SnapshotOrder.parentsFirst(List.of(
                snap("y", "x", "2026-01-02T00:00:00Z"), snap("x", "gone", "2026-01-01T00:00:00Z")))
                .stream().map(SnapshotInfo::getName).toList());
    }
}
