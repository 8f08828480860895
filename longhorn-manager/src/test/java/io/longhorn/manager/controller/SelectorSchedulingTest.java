package io.longhorn.manager.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.model.Condition;
import io.longhorn.manager.model.Conditions;
import io.longhorn.manager.model.DiskSpec;
import io.longhorn.manager.model.DiskStatus;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.model.NodeStatus;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.model.VolumeStatus;
import io.longhorn.manager.service.InvalidInputException;
import io.longhorn.manager.service.VolumeCreate;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.testing.HarnessTest;
import io.longhorn.manager.testing.ManagerHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A volume's nodeSelector and diskSelector: its replicas go only to nodes and disks with those tags. */
class SelectorSchedulingTest extends HarnessTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long GiB = 1L << 30;

    @Override
    protected ManagerHarness harness(Path dir) {
        return new ManagerHarness(dir, "disk-a", "disk-b");
    }

    /** A second ready node with two disks, "fast" and tagged as given. */
    private void addNode(String name, List<String> nodeTags, Map<String, List<String>> diskTags) {
        Node n = Resources.create(Node.class, name);
        n.getSpec().name = name;
        n.getSpec().tags = nodeTags;
        diskTags.forEach((disk, tags) -> {
            DiskSpec d = new DiskSpec();
            d.path = dir.resolve(name).resolve(disk).toString();
            d.tags = tags;
            n.getSpec().disks.put(disk, d);
        });
        Node created = m.store.create(n);
        Conditions.set(created.getStatus().conditions, NodeStatus.CONDITION_READY, Condition.TRUE, "", "");
        Conditions.set(created.getStatus().conditions, NodeStatus.CONDITION_SCHEDULABLE, Condition.TRUE, "", "");
        diskTags.keySet().forEach(disk -> {
            DiskStatus ds = new DiskStatus();
            ds.diskUUID = name + "-" + disk;
            ds.diskName = disk;
            ds.diskPath = created.getSpec().disks.get(disk).path;
            ds.storageMaximum = 100 * GiB;
            ds.storageAvailable = 90 * GiB;
            Conditions.set(ds.conditions, DiskStatus.CONDITION_READY, Condition.TRUE, "", "");
            Conditions.set(ds.conditions, DiskStatus.CONDITION_SCHEDULABLE, Condition.TRUE, "", "");
            created.getStatus().diskStatus.put(disk, ds);
        });
        m.store.updateStatus(created);
    }

    private List<Replica> replicas(String volume) {
        return m.store.list(Replica.class, Map.of(Longhorn.LABEL_VOLUME, volume));
    }

    @Test
    void replicasGoOnlyToTaggedNodesAndDisks() {
        addNode("node-2", List.of("fast"), Map.of("disk-x", List.of("ssd"), "disk-y", List.of("hdd")));
        addNode("node-3", List.of("fast"), Map.of("disk-z", List.of("hdd")));
        m.volumes.create(new VolumeCreate("vol1", "64Mi", 1, null, null, null, null, null, null, null, null,
                List.of("ssd"), List.of("fast")));
        await().atMost(WAIT).until(() -> replicas("vol1").size() == 1);
        Replica r = replicas("vol1").getFirst();
        assertEquals("node-2", r.getSpec().nodeID);
        assertEquals("node-2-disk-x", r.getSpec().diskID);
        Volume v = m.store.get(Volume.class, "vol1").orElseThrow();
        assertEquals(List.of("ssd"), v.getSpec().diskSelector);
        assertEquals(List.of("fast"), v.getSpec().nodeSelector);
    }

    @Test
    void aSelectorNoNodeMatchesLeavesTheVolumeUnscheduledSayingWhy() {
        addNode("node-2", List.of("fast"), Map.of("disk-x", List.of("ssd")));
        m.volumes.create(new VolumeCreate("vol2", "64Mi", 2, null, null, null, null, null, null, null, null,
                List.of("nvme"), List.of("fast")));
        await().atMost(WAIT).until(() -> Conditions.find(m.store.get(Volume.class, "vol2").orElseThrow().getStatus().conditions,
                VolumeStatus.CONDITION_SCHEDULED).filter(c -> Condition.FALSE.equals(c.status)).isPresent());
        Condition c = Conditions.find(m.store.get(Volume.class, "vol2").orElseThrow().getStatus().conditions,
                VolumeStatus.CONDITION_SCHEDULED).orElseThrow();
        assertEquals("no node and disk carry the tags of the volume's nodeSelector [fast] and diskSelector [nvme]",
                c.message);
        assertEquals(List.of(), replicas("vol2"));
    }

    @Test
    void badTagsAreRefusedNamingTheField() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> m.volumes.create(new VolumeCreate(
                "vol3", "64Mi", 1, null, null, null, null, null, null, null, null, List.of("ok", "not ok"), null)));
        assertTrue(e.getMessage().contains("diskSelector"), e.getMessage());
        assertTrue(m.store.get(Volume.class, "vol3").isEmpty(), "nothing created");
        assertThrows(InvalidInputException.class, () -> m.nodes.update(ManagerHarness.NODE, null, List.of("")));
    }
}
