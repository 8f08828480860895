package io.longhorn.manager.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.model.Condition;
import io.longhorn.manager.model.Conditions;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.model.VolumeStatus;
import io.longhorn.manager.service.VolumeCreate;
import io.longhorn.manager.testing.HarnessTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the volume controller's restore step does when the backup service reports a failed restore. */
class RestoreFailureTest extends HarnessTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String FROM = "file:///fake?backup=backup-a&volume=src";

    @BeforeEach
    void addBackup() {
        m.cluster.backups.addBackup("src", "backup-a", 32L << 20);
    }

    private Volume volume(String name) {
        return m.store.get(Volume.class, name).orElseThrow();
    }

    private List<Replica> replicas(String volume) {
        return m.store.list(Replica.class, Map.of(Longhorn.LABEL_VOLUME, volume));
    }

    private static Condition restoreCondition(Volume v) {
        return Conditions.find(v.getStatus().conditions, VolumeStatus.CONDITION_RESTORE).orElseThrow();
    }

    private void create(String name) {
        m.volumes.create(new VolumeCreate(name, null, 2, null, FROM, null, null, null, null, null, null));
    }

    @Test
    void aRestoreThatFailedAfterWritingFaultsTheVolumeMarksItsReplicasFailedAndIsNotRetried() {
        m.cluster.backups.failNextRestore("block 3f2a of backup backup-a of volume src is missing", true);
        create("copy");
        await().atMost(WAIT).untilAsserted(() -> {
            Volume v = volume("copy");
            assertEquals("faulted", v.getStatus().robustness);
            assertFalse(v.getStatus().restoreRequired);
            Condition c = restoreCondition(v);
            assertEquals(Condition.FALSE, c.status);
            assertEquals("RestoreFailure", c.reason);
            assertTrue(c.message.contains("block 3f2a of backup backup-a of volume src is missing"), c.message);
            assertTrue(c.message.contains("partial data"), c.message);
        });
        List<Replica> replicas = replicas("copy");
        assertEquals(2, replicas.size());
        for (Replica r : replicas) {
            assertFalse(r.getSpec().failedAt.isEmpty(), "replica " + r.getMetadata().getName() + " is marked failed");
            assertEquals(InstanceState.STOPPED, r.getSpec().desireState);
        }
        // A retry would run (and, the failure being consumed, complete) within the step's retry delay.
        await().during(Duration.ofSeconds(10)).atMost(WAIT).until(() -> m.cluster.backups.restores.isEmpty()
                && m.cluster.backups.failedRestores.size() == 1
                && "faulted".equals(volume("copy").getStatus().robustness) && replicas("copy").size() == 2);
    }

    @Test
    void aRestoreThatFailedBeforeWritingAnythingIsRetriedIntoTheSameReplicas() {
        m.cluster.backups.failNextRestore("backup volume src is locked by a deletion", false);
        create("copy");
        await().atMost(WAIT).untilAsserted(() -> {
            Volume v = volume("copy");
            assertFalse(v.getStatus().restoreRequired);
            assertEquals("detached", v.getStatus().state);
            assertEquals("RestoreCompleted", restoreCondition(v).reason);
        });
        assertEquals(1, m.cluster.backups.failedRestores.size());
        assertEquals(1, m.cluster.backups.restores.size());
        String failed = m.cluster.backups.failedRestores.getFirst();
        String addresses = failed.substring(failed.indexOf("->"));
        assertTrue(m.cluster.backups.restores.getFirst().endsWith(addresses),
                "retried into the same replicas: " + m.cluster.backups.restores + " after " + failed);
        assertTrue(replicas("copy").stream().allMatch(r -> r.getSpec().failedAt.isEmpty()));
    }
}
