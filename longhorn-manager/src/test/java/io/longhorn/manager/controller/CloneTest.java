package io.longhorn.manager.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.backup.CopyRequest;
import io.longhorn.manager.model.CloneStatus;
import io.longhorn.manager.model.Condition;
import io.longhorn.manager.model.Conditions;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.model.VolumeStatus;
import io.longhorn.manager.service.ConflictStateException;
import io.longhorn.manager.service.InvalidInputException;
import io.longhorn.manager.service.VolumeCreate;
import io.longhorn.manager.testing.HarnessTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the volume controller's clone step does with a volume created with a {@code dataSource}:
 * the copy job it asks the backup service for, the snapshot it takes and removes, the volume kept
 * from use until the copy is done, a failed copy retried; and the checks on the request.
 */
class CloneTest extends HarnessTest {
    private static final Duration WAIT = Duration.ofSeconds(40);

    private Volume volume(String name) {
        return m.store.get(Volume.class, name).orElseThrow();
    }

    private void createAttached(String name) {
        m.volumes.create(new VolumeCreate(name, "64Mi", 2, null, null, null, null, null, null, null, null));
        m.volumes.attach(name, null, false, null);
        await().atMost(WAIT).until(() -> "healthy".equals(volume(name).getStatus().robustness)
                && "attached".equals(volume(name).getStatus().state));
    }

    private void createFrom(String name, String size, String dataSource) {
        m.volumes.create(new VolumeCreate(name, size, 2, null, null, null, null, null, null, null, null, null, null,
                dataSource));
    }

    private static Condition cloneCondition(Volume v) {
        return Conditions.find(v.getStatus().conditions, VolumeStatus.CONDITION_CLONE).orElseThrow();
    }

    private void awaitCompleted(String name) {
        await().atMost(WAIT).untilAsserted(() -> {
            Volume v = volume(name);
            assertEquals(CloneStatus.STATE_COMPLETED, v.getStatus().cloneStatus.state);
            assertEquals("CloneCompleted", cloneCondition(v).reason);
            assertEquals("detached", v.getStatus().state);
        });
    }

    @Test
    void aCloneCopiesASnapshotTakenForItIntoItsReplicasAndRemovesTheSnapshotAfterwards() {
        createAttached("src");
        m.snapshots.create("src", "keep", null);
        m.cluster.backups.holdJobs(true);
        createFrom("copy", null, "vol://src");
        await().atMost(WAIT).until(() -> volume("copy").getStatus().cloneStatus.state.equals(CloneStatus.STATE_INITIATED));
        Volume filling = volume("copy");
        assertEquals(64L << 20, filling.getSpec().size, "a clone has its source's size");
        assertEquals("CloneInProgress", cloneCondition(filling).reason);
        assertTrue(m.cluster.engines.engineOf("src").orElseThrow().snapshotNames().contains("clone-copy"),
                "the snapshot taken for the copy");
        ConflictStateException refused = assertThrows(ConflictStateException.class,
                () -> m.volumes.attach("copy", null, false, null));
        assertTrue(refused.getMessage().contains("being filled from vol://src"), refused.getMessage());
        assertThrows(ConflictStateException.class, () -> m.volumes.delete("src", false),
                "the source of a copy in progress is not deleted without force");

        m.cluster.backups.holdJobs(false);
        awaitCompleted("copy");
        CopyRequest req = m.cluster.backups.copyRequests.getFirst();
        assertEquals("clone-copy", req.getSnapshotName());
        assertEquals("copy", req.getVolumeName());
        assertEquals(2, req.getReplicaAddressesCount());
        assertFalse(req.getOverwrite());
        assertEquals(List.of("keep"), m.cluster.engines.engineOf("src").orElseThrow().snapshotNames(),
                "the snapshot taken for the copy is removed, the user's stays");
        m.volumes.attach("copy", null, false, null);
        await().atMost(WAIT).until(() -> "attached".equals(volume("copy").getStatus().state));
    }

    @Test
    void aVolumeMadeFromASnapshotCopiesThatSnapshotAndLeavesItInPlace() {
        createAttached("src");
        m.snapshots.create("src", "s1", Map.of());
        createFrom("restored", "64Mi", "snap://src/s1");
        awaitCompleted("restored");
        assertEquals(1, m.cluster.backups.copies.size());
        assertEquals("s1", m.cluster.backups.copyRequests.getFirst().getSnapshotName());
        assertEquals(List.of("s1"), m.cluster.engines.engineOf("src").orElseThrow().snapshotNames());
        assertEquals("snap://src/s1", volume("restored").getSpec().dataSource);
    }

    @Test
    void aCopyThatFailedAfterWritingIsRetriedRewritingEveryBlock() {
        createAttached("src");
        m.cluster.backups.failNextCopy("cannot write 2097152 bytes at 0 to replica 10.0.0.3:9502: reset", true);
        createFrom("copy", null, "vol://src");
        await().atMost(WAIT).until(() -> !m.cluster.backups.copyRequests.isEmpty());
        await().atMost(WAIT).untilAsserted(() -> {
            Volume v = volume("copy");
            assertTrue(v.getStatus().cloneStatus.attemptCount >= 1);
            assertTrue(CloneStatus.STATE_FAILED.equals(v.getStatus().cloneStatus.state)
                    || CloneStatus.STATE_COMPLETED.equals(v.getStatus().cloneStatus.state));
        });
        awaitCompleted("copy");
        List<CopyRequest> requests = m.cluster.backups.copyRequests;
        assertEquals(2, requests.size(), "one failed attempt, one retry");
        assertFalse(requests.get(0).getOverwrite());
        assertTrue(requests.get(1).getOverwrite(), "the retry rewrites what the failed attempt left");
        assertEquals(2, volume("copy").getStatus().cloneStatus.attemptCount);
        assertEquals(List.of(), m.cluster.engines.engineOf("src").orElseThrow().snapshotNames());
    }

    @Test
    void aCloneDeletedBeforeItsCopyCompletedTakesItsSnapshotOfTheSourceAlong() {
        createAttached("src");
        m.cluster.backups.holdJobs(true);
        createFrom("copy", null, "vol://src");
        await().atMost(WAIT).until(() -> m.cluster.engines.engineOf("src").orElseThrow().snapshotNames()
                .contains("clone-copy"));
        m.volumes.delete("copy", false);
        await().atMost(WAIT).until(() -> m.store.get(Volume.class, "copy").isEmpty());
        assertEquals(List.of(), m.cluster.engines.engineOf("src").orElseThrow().snapshotNames());
        m.cluster.backups.holdJobs(false);
    }

    @Test
    void badDataSourcesAreRefusedNamingTheFieldAndCreateNothing() {
        createAttached("src");
        m.snapshots.create("src", "s1", null);
        record Bad(String size, String dataSource, String field, String says) {
        }
        for (Bad bad : List.of(
                new Bad(null, "src", "dataSource", "expected vol://<volume> or snap://<volume>/<snapshot>"),
                new Bad(null, "snap://src", "dataSource", "expected snap://<volume>/<snapshot>"),
                new Bad(null, "vol://Not_A_Name", "dataSource", "invalid volume name"),
                new Bad(null, "vol://nosuch", "dataSource", "volume nosuch not found"),
                new Bad(null, "snap://src/nosuch", "dataSource", "snapshot nosuch of volume src not found"),
                new Bad("128Mi", "vol://src", "size", "differs from the size of dataSource"))) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> createFrom("copy", bad.size(),
                    bad.dataSource()), bad.toString());
            assertEquals(bad.field(), e.field(), bad.toString());
            assertTrue(e.getMessage().contains(bad.says()), e.getMessage());
            assertTrue(m.store.get(Volume.class, "copy").isEmpty(), "nothing created for " + bad);
        }
        assertTrue(m.cluster.backups.copyRequests.isEmpty());
    }
}
