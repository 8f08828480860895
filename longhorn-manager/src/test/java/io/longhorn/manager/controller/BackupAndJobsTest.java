package io.longhorn.manager.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.controller.snapshot.SnapshotNames;
import io.longhorn.manager.jobs.RecurringJobRunner;
import io.longhorn.manager.model.Backup;
import io.longhorn.manager.model.BackupVolume;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.RecurringJob;
import io.longhorn.manager.model.Snapshot;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.service.ConflictStateException;
import io.longhorn.manager.service.RecurringJobInput;
import io.longhorn.manager.service.SnapshotService;
import io.longhorn.manager.service.VolumeCreate;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.testing.HarnessTest;
import io.longhorn.manager.testing.ManagerHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Snapshots, backups, restores, DR volumes and recurring jobs through the controllers and the fakes. */
class BackupAndJobsTest extends HarnessTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Volume volume(String name) {
        return m.store.get(Volume.class, name).orElseThrow();
    }

    private void createAttached(String name) {
        m.volumes.create(new VolumeCreate(name, "64Mi", 2, null, null, null, null, null, null, null, null));
        m.volumes.attach(name, null, false, null);
        await().atMost(WAIT).until(() -> "healthy".equals(volume(name).getStatus().robustness)
                && "attached".equals(volume(name).getStatus().state));
    }

    private List<String> userSnapshots(String volume) {
        return m.snapshots.list(volume).stream().map(SnapshotService.SnapshotView::name)
                .filter(n -> !n.equals(SnapshotService.HEAD)).toList();
    }

    @Test
    void snapshotsAreListedAsATreeWithTheHeadAndMirroredAsResources() {
        createAttached("vol1");
        m.snapshots.create("vol1", "s1", Map.of("k", "v"));
        m.snapshots.create("vol1", "s2", null);
        var list = m.snapshots.list("vol1");
        assertEquals(List.of("s1", "s2", "volume-head"), list.stream().map(SnapshotService.SnapshotView::name).toList());
        assertEquals("s2", list.getLast().parent());
        assertEquals(List.of("s2"), list.getFirst().children());
        String s2 = SnapshotNames.resourceName("vol1", "s2");
        await().atMost(WAIT).until(() -> m.store.get(Snapshot.class, s2).isPresent());
        assertEquals("s1", m.store.get(Snapshot.class, s2).orElseThrow().getStatus().parent);
        m.snapshots.delete("vol1", "s1");
        assertEquals(List.of("s2"), userSnapshots("vol1"));
        await().atMost(WAIT).until(() -> m.store.get(Snapshot.class, SnapshotNames.resourceName("vol1", "s1")).isEmpty());
    }

    @Test
    void twoVolumesWithASnapshotOfTheSameNameEachGetTheirOwnSnapshotResource() {
        createAttached("vol1");
        createAttached("vol2");
        m.snapshots.create("vol1", "s1", Map.of("of", "vol1"));
        m.snapshots.create("vol2", "s1", Map.of("of", "vol2"));
        await().atMost(WAIT).until(() -> m.store.list(Snapshot.class).size() == 2);
        for (String volume : List.of("vol1", "vol2")) {
            Snapshot s = m.store.get(Snapshot.class, SnapshotNames.resourceName(volume, "s1")).orElseThrow();
            assertEquals(volume, s.getSpec().volume);
            assertEquals(volume, Resources.labels(s).get(Longhorn.LABEL_VOLUME));
            assertEquals("s1", Resources.labels(s).get(Longhorn.LABEL_SNAPSHOT));
            await().atMost(WAIT).until(() -> Map.of("of", volume).equals(m.store.get(Snapshot.class,
                    SnapshotNames.resourceName(volume, "s1")).orElseThrow().getStatus().labels));
        }
        // Deleting one volume's snapshot leaves the other's resource alone.
        m.snapshots.delete("vol1", "s1");
        m.snapshots.purge("vol1");
        await().atMost(WAIT).until(() -> m.store.get(Snapshot.class, SnapshotNames.resourceName("vol1", "s1")).isEmpty());
        assertTrue(m.store.get(Snapshot.class, SnapshotNames.resourceName("vol2", "s1")).isPresent());
        assertEquals(List.of("s1"), userSnapshots("vol2"));
    }

    @Test
    void aDetachedVolumeListsItsSnapshotTreeFromItsSnapshotResources() {
        createAttached("vol1");
        m.snapshots.create("vol1", "s1", Map.of("k", "v"));
        m.snapshots.create("vol1", "s2", null);
        m.volumes.detach("vol1", null, false);
        await().atMost(WAIT).until(() -> "detached".equals(volume("vol1").getStatus().state));
        m.volumes.attach("vol1", null, true, null);
        await().atMost(WAIT).until(() -> "attached".equals(volume("vol1").getStatus().state));
        m.snapshots.revert("vol1", "s1");
        m.snapshots.create("vol1", "s3", null);
        List<SnapshotService.SnapshotView> attached = m.snapshots.list("vol1");
        // The resources follow the engine (the head is recorded as a child of its parent).
        await().atMost(WAIT).until(() -> m.store.get(Snapshot.class, SnapshotNames.resourceName("vol1", "s3"))
                .map(s -> s.getStatus().children.containsKey(SnapshotService.HEAD)).orElse(false));
        m.volumes.detach("vol1", null, false);
        await().atMost(WAIT).until(() -> "detached".equals(volume("vol1").getStatus().state));

        List<SnapshotService.SnapshotView> detached = m.snapshots.list("vol1");
        assertEquals(attached.stream().map(SnapshotService.SnapshotView::name).sorted().toList(),
                detached.stream().map(SnapshotService.SnapshotView::name).sorted().toList());
        for (SnapshotService.SnapshotView a : attached) {
            SnapshotService.SnapshotView d = detached.stream().filter(x -> x.name().equals(a.name())).findFirst().orElseThrow();
            assertEquals(a.parent(), d.parent(), a.name());
            assertEquals(a.children().stream().sorted().toList(), d.children().stream().sorted().toList(), a.name());
            assertEquals(a.usercreated(), d.usercreated(), a.name());
            assertEquals(a.removed(), d.removed(), a.name());
            assertEquals(a.created(), d.created(), a.name());
            assertEquals(a.size(), d.size(), a.name());
            assertEquals(a.labels(), d.labels(), a.name());
        }
        assertEquals("s3", detached.getLast().parent(), "the head is based on s3");
        assertEquals(SnapshotService.HEAD, detached.getLast().name());
        assertEquals("s1", detached.getFirst().name(), "parents come first");
        assertEquals("s1", m.snapshots.get("vol1", "s3").parent());
        var e = org.junit.jupiter.api.Assertions.assertThrows(ConflictStateException.class,
                () -> m.snapshots.revert("vol1", "s2"));
        assertTrue(e.getMessage().contains("is detached: attach it in maintenance mode"), e.getMessage());
    }

    @Test
    void snapshotResourcesNamedAfterTheSnapshotAloneAreRenamedPerVolumeKeepingTheirStatus() {
        m.volumes.create(new VolumeCreate("vol1", "64Mi", 1, null, null, null, null, null, null, null, null));
        await().atMost(WAIT).until(() -> "detached".equals(volume("vol1").getStatus().state));
        // A store an earlier version wrote: the manager stopped, a Snapshot resource of the older
        // layout in its store, the manager started again on it.
        m.close();
        Snapshot legacy = Resources.create(Snapshot.class, "old1");
        Resources.labels(legacy).put(Longhorn.LABEL_VOLUME, "vol1");
        Resources.finalizers(legacy).add(Longhorn.FINALIZER);
        legacy.getSpec().volume = "vol1";
        Snapshot created = m.store.create(legacy);
        Snapshot withStatus = Resources.copy(created);
        withStatus.getStatus().userCreated = true;
        withStatus.getStatus().creationTime = "2026-01-02T03:04:05Z";
        withStatus.getStatus().size = 4096;
        withStatus.getStatus().children.put(SnapshotService.HEAD, true);
        m.store.updateStatus(withStatus);
        m = new ManagerHarness(m.store, dir);

        String renamed = SnapshotNames.resourceName("vol1", "old1");
        await().atMost(WAIT).until(() -> m.store.get(Snapshot.class, "old1").isEmpty()
                && m.store.get(Snapshot.class, renamed).isPresent());
        Snapshot moved = m.store.get(Snapshot.class, renamed).orElseThrow();
        assertEquals("old1", Resources.labels(moved).get(Longhorn.LABEL_SNAPSHOT));
        assertEquals("vol1", moved.getSpec().volume);
        assertEquals(4096, moved.getStatus().size);
        var list = m.snapshots.list("vol1");
        assertEquals(List.of("old1", SnapshotService.HEAD), list.stream().map(SnapshotService.SnapshotView::name).toList());
        assertEquals("old1", list.getLast().parent());
        assertTrue(list.getFirst().usercreated());

        // The volume's deletion takes its snapshot resources with it.
        m.volumes.delete("vol1", false);
        await().atMost(WAIT).until(() -> m.store.get(Volume.class, "vol1").isEmpty()
                && m.store.list(Snapshot.class).isEmpty());
    }

    @Test
    void revertNeedsMaintenanceModeAndThenMovesTheHead() {
        createAttached("vol1");
        m.snapshots.create("vol1", "s1", null);
        m.snapshots.create("vol1", "s2", null);
        var e = org.junit.jupiter.api.Assertions.assertThrows(ConflictStateException.class,
                () -> m.snapshots.revert("vol1", "s1"));
        assertTrue(e.getMessage().contains("maintenance mode"), e.getMessage());
        m.volumes.detach("vol1", null, false);
        await().atMost(WAIT).until(() -> "detached".equals(volume("vol1").getStatus().state));
        m.volumes.attach("vol1", null, true, null);
        await().atMost(WAIT).until(() -> "attached".equals(volume("vol1").getStatus().state));
        m.snapshots.revert("vol1", "s1");
        assertEquals("s1", m.snapshots.list("vol1").getLast().parent());
    }

    @Test
    void aBackupCompletesAndShowsOnTheVolumeAndItsBackupVolume() {
        createAttached("vol1");
        m.snapshots.create("vol1", "s1", null);
        Backup b = m.backups.backupSnapshot("vol1", "s1", Map.of("purpose", "test"));
        await().atMost(WAIT).untilAsserted(() -> {
            Backup now = m.store.get(Backup.class, Resources.name(b)).orElseThrow();
            assertEquals("Completed", now.getStatus().state);
            assertEquals(Resources.name(b), volume("vol1").getStatus().lastBackup);
            assertEquals(Resources.name(b), m.store.get(BackupVolume.class, "vol1").orElseThrow().getStatus().lastBackupName);
        });
        assertTrue(m.store.get(Backup.class, Resources.name(b)).orElseThrow().getStatus().url
                .endsWith("?backup=" + Resources.name(b) + "&volume=vol1"));
    }

    @Test
    void aFailedBackupJobShowsItsError() {
        createAttached("vol1");
        m.snapshots.create("vol1", "s1", null);
        m.cluster.backups.failNextBackup("target full");
        Backup b = m.backups.backupSnapshot("vol1", "s1", null);
        await().atMost(WAIT).untilAsserted(() -> {
            Backup now = m.store.get(Backup.class, Resources.name(b)).orElseThrow();
            assertEquals("Error", now.getStatus().state);
            assertEquals("target full", now.getStatus().error);
        });
    }

    @Test
    void aVolumeRestoredFromABackupRestoresIntoItsReplicasThenDetachesReadyToUse() {
        m.cluster.backups.addBackup("src", "backup-a", 32L << 20);
        m.volumes.create(new VolumeCreate("copy", null, 2, null, "file:///fake?backup=backup-a&volume=src", null, null,
                null, null, null, null));
        assertEquals(32L << 20, volume("copy").getSpec().size);
        await().atMost(WAIT).untilAsserted(() -> {
            Volume v = volume("copy");
            assertFalse(v.getStatus().restoreRequired);
            assertEquals("detached", v.getStatus().state);
        });
        assertEquals(1, m.cluster.backups.restores.size());
        assertTrue(m.cluster.backups.restores.getFirst().startsWith("backup-a <-  -> "), m.cluster.backups.restores.toString());
        m.volumes.attach("copy", null, false, null);
        await().atMost(WAIT).until(() -> "attached".equals(volume("copy").getStatus().state));
    }

    @Test
    void aStandbyVolumeFollowsNewBackupsIncrementallyAndCanBeActivated() {
        m.cluster.backups.addBackup("src", "backup-1", 32L << 20);
        m.backups.updateTarget("default", null, null, "1s");
        m.volumes.create(new VolumeCreate("dr", null, 1, null, "file:///fake?backup=backup-1&volume=src", true, null,
                null, null, null, null));
        await().atMost(WAIT).until(() -> volume("dr").getStatus().lastRestoredBackup.contains("backup-1"));
        assertTrue(volume("dr").getStatus().isStandby);
        var e = org.junit.jupiter.api.Assertions.assertThrows(ConflictStateException.class,
                () -> m.volumes.attach("dr", null, false, null));
        assertTrue(e.getMessage().contains("standby"), e.getMessage());

        m.cluster.backups.addBackup("src", "backup-2", 32L << 20);
        await().atMost(WAIT).until(() -> volume("dr").getStatus().lastRestoredBackup.contains("backup-2"));
        assertTrue(m.cluster.backups.restores.getLast().startsWith("backup-2 <- backup-1"), m.cluster.backups.restores.toString());

        m.volumes.activate("dr", null);
        await().atMost(WAIT).untilAsserted(() -> {
            Volume v = volume("dr");
            assertFalse(v.getStatus().restoreRequired);
            assertFalse(v.getStatus().isStandby);
            assertEquals("detached", v.getStatus().state);
        });
        m.volumes.attach("dr", null, false, null);
        await().atMost(WAIT).until(() -> "attached".equals(volume("dr").getStatus().state));
    }

    @Test
    void deletingABackupRemovesItFromTheTarget() {
        createAttached("vol1");
        m.snapshots.create("vol1", "s1", null);
        Backup b = m.backups.backupSnapshot("vol1", "s1", null);
        await().atMost(WAIT).until(() -> m.store.get(Backup.class, Resources.name(b))
                .map(x -> "Completed".equals(x.getStatus().state)).orElse(false));
        m.backups.deleteBackup("vol1", Resources.name(b));
        assertTrue(m.cluster.backups.backupNames("vol1").isEmpty());
        assertTrue(m.store.get(Backup.class, Resources.name(b)).isEmpty());
    }

    @Test
    void aRecurringSnapshotJobKeepsOnlyRetainSnapshotsOfItsOwn() {
        createAttached("vol1");
        m.snapshots.create("vol1", "manual", null);
        m.jobs.create(new RecurringJobInput("snap", "snapshot", "* * * * *", 2, 1, List.of("default"), Map.of("tier", "gold")));
        await().atMost(WAIT).until(() -> m.cron.schedules().containsKey("snap"));
        for (int i = 0; i < 4; i++) {
            m.cron.fire("snap");
        }
        List<String> snaps = userSnapshots("vol1");
        assertEquals(3, snaps.size(), snaps.toString());
        assertEquals("manual", snaps.getFirst());
        var own = m.snapshots.list("vol1").stream().filter(s -> "snap".equals(s.labels().get("RecurringJob"))).toList();
        assertEquals(2, own.size());
        assertEquals("gold", own.getFirst().labels().get("tier"));
        assertEquals(4, m.store.get(RecurringJob.class, "snap").orElseThrow().getStatus().executionCount);
    }

    @Test
    void aSnapshotBeyondSnapshotMaxCountIsRefusedAndNothingIsCreated() {
        createAttached("vol1");
        m.settings.update(SettingNames.SNAPSHOT_MAX_COUNT, "2");
        m.snapshots.create("vol1", "s1", null);
        m.snapshots.create("vol1", "s2", null);
        ConflictStateException e = org.junit.jupiter.api.Assertions.assertThrows(ConflictStateException.class,
                () -> m.snapshots.create("vol1", "s3", null));
        assertTrue(e.getMessage().contains("snapshot-max-count is 2"), e.getMessage());
        assertEquals(List.of("s1", "s2"), userSnapshots("vol1"));
        m.snapshots.delete("vol1", "s1");
        m.snapshots.purge("vol1");
        m.snapshots.create("vol1", "s3", null);
        assertEquals(List.of("s2", "s3"), userSnapshots("vol1"));
    }

    @Test
    void aJobKeepsTheHistoryOfAsManyRunsAsTheHistoryLimitsAllow() {
        createAttached("vol1");
        m.settings.update(SettingNames.RECURRING_SUCCESSFUL_JOBS_HISTORY_LIMIT, "2");
        m.settings.update(SettingNames.RECURRING_FAILED_JOBS_HISTORY_LIMIT, "0");
        m.jobs.create(new RecurringJobInput("snap", "snapshot", "* * * * *", 10, 1, List.of("default"), null));
        await().atMost(WAIT).until(() -> m.cron.schedules().containsKey("snap"));
        for (int i = 0; i < 3; i++) {
            m.cron.fire("snap");
        }
        var history = m.store.get(RecurringJob.class, "snap").orElseThrow().getStatus().history;
        assertEquals(2, history.size());
        assertTrue(history.stream().allMatch(r -> "succeeded".equals(r.state) && r.volumes.equals(List.of("vol1"))));
        m.settings.update(SettingNames.SNAPSHOT_MAX_COUNT, "3");
        m.settings.update(SettingNames.RECURRING_FAILED_JOBS_HISTORY_LIMIT, "1");
        m.cron.fire("snap");
        m.cron.fire("snap");
        history = m.store.get(RecurringJob.class, "snap").orElseThrow().getStatus().history;
        assertEquals(List.of("succeeded", "succeeded", "failed"), history.stream().map(r -> r.state).toList());
        assertTrue(history.getLast().error.contains("snapshot-max-count"), history.getLast().error);
    }

    @Test
    void aDetachedVolumeIsSkippedUnlessAllowedThenAttachedForTheJobAndDetachedAfter() {
        m.volumes.create(new VolumeCreate("vol1", "64Mi", 2, null, null, null, null, null, null, null, null));
        await().atMost(WAIT).until(() -> "detached".equals(volume("vol1").getStatus().state));
        m.jobs.create(new RecurringJobInput("snap", "snapshot", "* * * * *", 5, 1, List.of("default"), null));
        await().atMost(WAIT).until(() -> m.cron.schedules().containsKey("snap"));
        m.cron.fire("snap");
        assertTrue(m.store.get(Volume.class, "vol1").orElseThrow().getSpec().nodeID.isEmpty());
        assertEquals(List.of(), m.store.get(RecurringJob.class, "snap").orElseThrow().getStatus().history.getLast().volumes);

        m.settings.update(SettingNames.ALLOW_RECURRING_JOB_WHILE_VOLUME_DETACHED, "true");
        m.cron.fire("snap");
        var last = m.store.get(RecurringJob.class, "snap").orElseThrow().getStatus().history.getLast();
        assertEquals("succeeded", last.state, last.error);
        assertEquals(List.of("vol1"), last.volumes);
        await().atMost(WAIT).until(() -> "detached".equals(volume("vol1").getStatus().state));
        assertTrue(volume("vol1").getSpec().nodeID.isEmpty(), "detached again after the job");
        await().atMost(WAIT).untilAsserted(() -> assertEquals(1, m.snapshots.list("vol1").stream()
                .filter(s -> "snap".equals(s.labels().get("RecurringJob"))).count(),
                "the snapshot was taken while it was attached, and the detached volume lists it"));
    }

    @Test
    void aRecurringJobOnlyTouchesTheVolumesThatJoinedIt() {
        createAttached("vol1");
        createAttached("vol2");
        m.jobs.create(new RecurringJobInput("snap", "snapshot", "* * * * *", 5, 2, List.of("gold"), null));
        m.jobs.addToVolume("vol2", "gold", true);
        await().atMost(WAIT).until(() -> m.cron.schedules().containsKey("snap"));
        m.cron.fire("snap");
        assertEquals(0, userSnapshots("vol1").size());
        assertEquals(1, userSnapshots("vol2").size());
    }

    @Test
    void aRecurringJobRunsForAVolumeOnlyInItsOwnersManager() {
        createAttached("vol1");
        assertEquals(ManagerHarness.NODE, m.store.get(Volume.class, "vol1").orElseThrow().getStatus().ownerID);
        m.jobs.create(new RecurringJobInput("snap", "snapshot", "* * * * *", 5, 1, List.of("default"), null));
        ControllerContext other = new ControllerContext(m.ctx.store(), m.ctx.launcher(), m.ctx.engines(),
                m.ctx.backups(), m.ctx.credentials(), m.ctx.settings(), m.ctx.events(), "node-2", m.ctx.clock(),
                m.ctx.monitorInterval());
        new RecurringJobRunner(other, m.snapshots, m.backups).run("snap");
        assertEquals(0, userSnapshots("vol1").size(), "another node's manager leaves it alone");
        new RecurringJobRunner(m.ctx, m.snapshots, m.backups).run("snap");
        assertEquals(1, userSnapshots("vol1").size());
    }

    @Test
    void aRecurringBackupJobKeepsRetainBackups() {
        createAttached("vol1");
        m.jobs.create(new RecurringJobInput("bak", "backup", "0 * * * *", 1, 1, List.of("default"), null));
        await().atMost(WAIT).until(() -> m.cron.schedules().containsKey("bak"));
        m.cron.fire("bak");
        m.cron.fire("bak");
        assertEquals(1, m.cluster.backups.backupNames("vol1").size());
        assertEquals(1, m.snapshots.list("vol1").stream().filter(s -> "bak".equals(s.labels().get("RecurringJob"))).count());
    }

    @Test
    void changingAJobsCronReschedulesItAndDeletingItUnschedulesIt() {
        m.jobs.create(new RecurringJobInput("snap", "snapshot", "* * * * *", 1, 1, null, null));
        await().atMost(WAIT).until(() -> "* * * * *".equals(m.cron.schedules().get("snap")));
        m.jobs.update("snap", new RecurringJobInput(null, null, "*/5 * * * *", null, null, null, null));
        await().atMost(WAIT).until(() -> "*/5 * * * *".equals(m.cron.schedules().get("snap")));
        m.jobs.delete("snap");
        await().atMost(WAIT).until(() -> !m.cron.schedules().containsKey("snap"));
    }
}
