package io.longhorn.manager.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.model.Condition;
import io.longhorn.manager.model.Conditions;
import io.longhorn.manager.model.DiskSpec;
import io.longhorn.manager.model.DiskStatus;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.model.NodeStatus;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.service.VolumeCreate;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.testing.HarnessTest;
import io.longhorn.manager.testing.ManagerHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** replica-auto-balance through the controllers and the fakes: a second node joins a one-node volume. */
class AutoBalanceTest extends HarnessTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long GiB = 1L << 30;

    @Override
    protected ManagerHarness harness(Path dir) {
        return new ManagerHarness(dir, "disk-a", "disk-b");
    }

    private List<Replica> replicas() {
        return m.store.list(Replica.class, Map.of(Longhorn.LABEL_VOLUME, "vol1"));
    }

    private Map<String, Long> perNode() {
        return replicas().stream().collect(Collectors.groupingBy(r -> r.getSpec().nodeID, Collectors.counting()));
    }

    private void attachedHealthyWithTwoReplicasOnNodeOne() {
        m.volumes.create(new VolumeCreate("vol1", "64Mi", 2, null, null, null, null, null, null, null, null));
        m.volumes.attach("vol1", null, false, "test");
        await().atMost(WAIT).until(() -> {
            Volume v = m.store.get(Volume.class, "vol1").orElseThrow();
            return "attached".equals(v.getStatus().state) && "healthy".equals(v.getStatus().robustness);
        });
        assertEquals(Map.of(ManagerHarness.NODE, 2L), perNode());
    }

    /** A second node, ready, with one schedulable disk (its status as its own manager would report it). */
    private void addNode(String name) {
        Node n = Resources.create(Node.class, name);
        n.getSpec().name = name;
        DiskSpec disk = new DiskSpec();
        disk.path = dir.resolve(name).toString();
        n.getSpec().disks.put("disk-x", disk);
        Node created = m.store.create(n);
        Conditions.set(created.getStatus().conditions, NodeStatus.CONDITION_READY, Condition.TRUE, "", "");
        Conditions.set(created.getStatus().conditions, NodeStatus.CONDITION_SCHEDULABLE, Condition.TRUE, "", "");
        DiskStatus ds = new DiskStatus();
        ds.diskUUID = name + "-disk-x";
        ds.diskName = "disk-x";
        ds.diskPath = disk.path;
        ds.storageMaximum = 100 * GiB;
        ds.storageAvailable = 90 * GiB;
        Conditions.set(ds.conditions, DiskStatus.CONDITION_READY, Condition.TRUE, "", "");
        Conditions.set(ds.conditions, DiskStatus.CONDITION_SCHEDULABLE, Condition.TRUE, "", "");
        created.getStatus().diskStatus.put("disk-x", ds);
        m.store.updateStatus(created);
    }

    @Test
    void disabledLeavesBothReplicasOnOneNode() {
        attachedHealthyWithTwoReplicasOnNodeOne();
        addNode("node-2");
        m.runtime().enqueueAll("volume");
        await().pollDelay(Duration.ofSeconds(1)).atMost(WAIT).until(() -> true);
        assertEquals(Map.of(ManagerHarness.NODE, 2L), perNode());
    }

    @Test
    void leastEffortMovesOneReplicaToTheNewNodeByRebuildingThenRemovingTheSurplus() {
        attachedHealthyWithTwoReplicasOnNodeOne();
        addNode("node-2");
        m.settings.update(SettingNames.REPLICA_AUTO_BALANCE, "least-effort");
        await().atMost(WAIT).untilAsserted(() -> {
            assertEquals(Map.of(ManagerHarness.NODE, 1L, "node-2", 1L), perNode());
            Engine e = m.store.list(Engine.class, Map.of(Longhorn.LABEL_VOLUME, "vol1")).getFirst();
            assertEquals(List.of("RW", "RW"), List.copyOf(e.getStatus().replicaModeMap.values()));
            assertEquals("healthy", m.store.get(Volume.class, "vol1").orElseThrow().getStatus().robustness);
        });
        assertTrue(m.ctx.events().list().stream().anyMatch(ev -> "ReplicaAutoBalance".equals(ev.reason())));
    }
}
