package io.longhorn.manager.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.launcher.InstanceRequest;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.service.ConflictStateException;
import io.longhorn.manager.service.VolumeCreate;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.testing.ManagerHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controllers over the fakes: volume lifecycle, failures, rebuilds, expansion, replica count. */
class VolumeLifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private ManagerHarness m;

    @BeforeEach
    void start() {
        m = new ManagerHarness(dir, "disk-a", "disk-b", "disk-c");
    }

    @AfterEach
    void stop() {
        m.close();
        assertEquals(List.of(), m.cluster.launcher.violations);
    }

    private Volume volume(String name) {
        return m.store.get(Volume.class, name).orElseThrow();
    }

    private List<Replica> replicas(String name) {
        return m.store.list(Replica.class, Map.of(Longhorn.LABEL_VOLUME, name));
    }

    private Engine engine(String name) {
        return m.store.list(Engine.class, Map.of(Longhorn.LABEL_VOLUME, name)).getFirst();
    }

    private void create(String name, int replicas) {
        m.volumes.create(new VolumeCreate(name, "64Mi", replicas, null, null, null, null, null, null, null, null));
    }

    private void awaitState(String name, String state, String robustness) {
        await().atMost(WAIT).untilAsserted(() -> {
            Volume v = volume(name);
            assertEquals(state, v.getStatus().state, "state of " + name);
            assertEquals(robustness, v.getStatus().robustness, "robustness of " + name);
        });
    }

    private void attachHealthy(String name) {
        m.volumes.attach(name, null, false, "test");
        awaitState(name, "attached", "healthy");
    }

    @Test
    void aNewVolumeGetsAStoppedEngineAndReplicasOnDifferentDisks() {
        create("vol1", 3);
        awaitState("vol1", "detached", "unknown");
        Set<String> disks = replicas("vol1").stream().map(r -> r.getSpec().diskPath).collect(Collectors.toSet());
        assertEquals(3, disks.size(), "one replica per disk: " + disks);
        assertEquals("stopped", engine("vol1").getStatus().currentState);
        assertTrue(m.cluster.launcher.running().isEmpty());
        assertTrue(volume("vol1").getMetadata().getFinalizers().contains(Longhorn.FINALIZER));
    }

    @Test
    void attachingStartsTheReplicasThenTheEngineAndServesAnEndpoint() {
        create("vol1", 3);
        attachHealthy("vol1");
        Volume v = volume("vol1");
        assertEquals(ManagerHarness.NODE, v.getStatus().currentNodeID);
        // The default frontend, blockdev: the device the launcher linked, not the engine's NBD export.
        assertEquals("/dev/longhorn/vol1", engine("vol1").getStatus().endpoint);
        assertEquals("userspace (slower): nbdfuse + /dev/loop0", engine("vol1").getStatus().frontendDevice);
        List<String> log = m.cluster.launcher.log;
        int engineStart = log.indexOf("start vol1-e-0");
        for (Replica r : replicas("vol1")) {
            assertTrue(log.indexOf("start " + Resources.name(r)) < engineStart, log.toString());
            assertEquals("RW", engine("vol1").getStatus().replicaModeMap.get(Resources.name(r)));
        }
    }

    @Test
    void theEngineStartsWhileItsReplicasStartAndWaitsForThem() {
        create("vol1", 3);
        m.cluster.launcher.holdReplicaStarts();
        m.volumes.attach("vol1", null, false, "test");
        // Every replica is still starting (at a known address) when the engine is started over them.
        await().atMost(WAIT).until(() -> m.cluster.launcher.lastRequest("vol1-e-0").isPresent());
        InstanceRequest engineStart = m.cluster.launcher.lastRequest("vol1-e-0").orElseThrow();
        assertTrue(engineStart.replicasStarting(), "the engine is told to wait for its replicas");
        assertEquals(3, engineStart.replicaAddresses().size());
        for (Replica r : replicas("vol1")) {
            assertEquals("starting", m.store.get(Replica.class, Resources.name(r)).orElseThrow().getStatus().currentState);
            assertTrue(engineStart.replicaAddresses().contains(
                    "tcp://127.0.0.1:" + m.store.get(Replica.class, Resources.name(r)).orElseThrow().getStatus().port));
        }
        await().atMost(WAIT).untilAsserted(() -> assertEquals("attaching", volume("vol1").getStatus().state));

        m.cluster.launcher.finishReplicaStarts();
        awaitState("vol1", "attached", "healthy");
        for (Replica r : replicas("vol1")) {
            assertEquals("RW", engine("vol1").getStatus().replicaModeMap.get(Resources.name(r)));
        }
    }

    @Test
    void aReplicaThatFailsWhileTheEngineWaitsForItIsFailedAndTheEngineStartsAgainWithoutIt() {
        create("vol1", 3);
        m.cluster.launcher.holdReplicaStarts();
        m.volumes.attach("vol1", null, false, "test");
        await().atMost(WAIT).until(() -> m.cluster.launcher.lastRequest("vol1-e-0").isPresent());
        Replica victim = replicas("vol1").getFirst();
        String victimAddress = "tcp://127.0.0.1:"
                + m.store.get(Replica.class, Resources.name(victim)).orElseThrow().getStatus().port;
        assertTrue(m.cluster.launcher.lastRequest("vol1-e-0").orElseThrow().replicaAddresses().contains(victimAddress));

        m.cluster.launcher.crash(Resources.name(victim));

        // The engine is not left waiting for it: it is started again over the other two.
        await().atMost(WAIT).until(() -> m.cluster.launcher.log.stream().filter("start vol1-e-0"::equals).count() == 2);
        InstanceRequest again = m.cluster.launcher.lastRequest("vol1-e-0").orElseThrow();
        assertEquals(2, again.replicaAddresses().size(), again.replicaAddresses().toString());
        assertFalse(again.replicaAddresses().contains(victimAddress));
        m.cluster.launcher.finishReplicaStarts();
        await().atMost(WAIT).untilAsserted(() -> {
            assertEquals("attached", volume("vol1").getStatus().state);
            assertFalse(m.store.get(Replica.class, Resources.name(victim)).map(r -> r.getSpec().failedAt.isEmpty())
                    .orElse(false), "the replica that failed is marked failed (or already removed)");
        });
        awaitState("vol1", "attached", "healthy");
    }

    @Test
    void aReplicaThatStartsAgainOnNewPortsWhileTheEngineWaitsGetsTheEngineStartedAgainOverItsNewAddress() {
        create("vol1", 3);
        m.cluster.launcher.holdReplicaStarts();
        m.volumes.attach("vol1", null, false, "test");
        await().atMost(WAIT).until(() -> m.cluster.launcher.lastRequest("vol1-e-0").isPresent());
        Replica moving = replicas("vol1").getFirst();
        String name = Resources.name(moving);
        String oldAddress = "tcp://127.0.0.1:" + m.store.get(Replica.class, name).orElseThrow().getStatus().port;
        assertTrue(m.cluster.launcher.lastRequest("vol1-e-0").orElseThrow().replicaAddresses().contains(oldAddress));

        m.cluster.launcher.moveStartingReplica(name);

        // The engine is not left waiting at the old address: it is started again over the new one.
        await().atMost(WAIT).until(() -> m.cluster.launcher.log.stream().filter("start vol1-e-0"::equals).count() == 2);
        String newAddress = "tcp://127.0.0.1:" + m.store.get(Replica.class, name).orElseThrow().getStatus().port;
        assertFalse(newAddress.equals(oldAddress), "the replica's status shows its new port");
        InstanceRequest again = m.cluster.launcher.lastRequest("vol1-e-0").orElseThrow();
        assertEquals(3, again.replicaAddresses().size(), again.replicaAddresses().toString());
        assertTrue(again.replicaAddresses().contains(newAddress), again.replicaAddresses().toString());
        assertFalse(again.replicaAddresses().contains(oldAddress), again.replicaAddresses().toString());
        m.cluster.launcher.finishReplicaStarts();
        awaitState("vol1", "attached", "healthy");
        for (Replica r : replicas("vol1")) {
            assertEquals("RW", engine("vol1").getStatus().replicaModeMap.get(Resources.name(r)));
        }
    }

    @Test
    void anEngineStartedOverReplicasThatAllRunAsksEachOnce() {
        create("vol1", 3);
        attachHealthy("vol1");
        assertFalse(m.cluster.launcher.lastRequest("vol1-e-0").orElseThrow().replicasStarting());
    }

    @Test
    void theEngineStartsWithTheEngineReplicaTimeoutSetting() {
        m.settings.update(SettingNames.ENGINE_REPLICA_TIMEOUT, "21");
        create("vol1", 2);
        attachHealthy("vol1");
        assertEquals(21, m.cluster.launcher.lastRequest("vol1-e-0").orElseThrow().replicaTimeoutSeconds());
    }

    @Test
    void detachingStopsTheEngineBeforeAnyReplica() {
        create("vol1", 2);
        attachHealthy("vol1");
        m.volumes.detach("vol1", null, false);
        awaitState("vol1", "detached", "unknown");
        List<String> log = m.cluster.launcher.log;
        int engineStop = log.indexOf("stop vol1-e-0");
        assertTrue(engineStop >= 0, log.toString());
        for (Replica r : replicas("vol1")) {
            assertTrue(log.indexOf("stop " + Resources.name(r)) > engineStop, log.toString());
        }
        assertTrue(m.cluster.launcher.running().isEmpty());
    }

    @Test
    void aCrashedReplicaIsReplacedOnAnotherDiskAndRebuiltWhileAttached() {
        create("vol1", 2);
        attachHealthy("vol1");
        Replica victim = replicas("vol1").getFirst();
        String victimDisk = victim.getSpec().diskPath;
        m.cluster.launcher.crash(Resources.name(victim));
        await().atMost(WAIT).untilAsserted(() -> {
            List<Replica> now = replicas("vol1");
            assertFalse(now.stream().anyMatch(r -> Resources.name(r).equals(Resources.name(victim))), "victim deleted");
            assertEquals(2, now.size());
            assertEquals("healthy", volume("vol1").getStatus().robustness);
        });
        assertTrue(replicas("vol1").stream().noneMatch(r -> r.getSpec().healthyAt.isEmpty()), "every replica became RW");
        Set<String> disks = replicas("vol1").stream().map(r -> r.getSpec().diskPath).collect(Collectors.toSet());
        assertFalse(disks.contains(victimDisk), "the replacement avoided the failed replica's disk: " + disks);
        assertTrue(m.cluster.launcher.deletedDirectories().stream().anyMatch(d -> d.contains(victim.getSpec().dataDirectoryName)));
        assertTrue(m.ctx.events().list().stream().anyMatch(e -> e.reason().equals("RebuildStarted")));
    }

    @Test
    void theVolumeIsDegradedWhileAReplicaIsMissing() {
        m.settings.update("concurrent-replica-rebuild-per-node-limit", "0");
        create("vol1", 2);
        attachHealthy("vol1");
        m.cluster.launcher.crash(Resources.name(replicas("vol1").getFirst()));
        awaitState("vol1", "attached", "degraded");
        m.settings.update("concurrent-replica-rebuild-per-node-limit", "5");
        awaitState("vol1", "attached", "healthy");
    }

    @Test
    void aCrashedEngineIsStartedAgainOverTheSameReplicas() {
        create("vol1", 2);
        attachHealthy("vol1");
        Set<String> before = replicas("vol1").stream().map(Resources::name).collect(Collectors.toSet());
        m.cluster.launcher.crash("vol1-e-0");
        await().atMost(WAIT).until(() -> m.cluster.launcher.log.stream().filter(l -> l.equals("start vol1-e-0")).count() == 2);
        awaitState("vol1", "attached", "healthy");
        assertEquals(before, replicas("vol1").stream().map(Resources::name).collect(Collectors.toSet()));
    }

    @Test
    void deletingADetachedVolumeRemovesItsEngineReplicasAndData() {
        create("vol1", 3);
        attachHealthy("vol1");
        m.volumes.detach("vol1", null, false);
        awaitState("vol1", "detached", "unknown");
        List<String> dirs = replicas("vol1").stream().map(r -> r.getSpec().dataDirectoryName).toList();
        m.volumes.delete("vol1", false);
        await().atMost(WAIT).until(() -> m.store.get(Volume.class, "vol1").isEmpty());
        assertTrue(replicas("vol1").isEmpty());
        assertTrue(m.store.list(Engine.class).isEmpty());
        for (String d : dirs) {
            assertTrue(m.cluster.launcher.deletedDirectories().stream().anyMatch(x -> x.endsWith(d)), d);
        }
        assertEquals(List.of("vol1"), m.cluster.launcher.deletedSecrets, "the volume's secret goes with it");
    }

    @Test
    void deletingAnAttachedVolumeStopsItsEngineThenItsReplicasAndDeletesIt() {
        create("vol1", 2);
        attachHealthy("vol1");
        List<String> names = replicas("vol1").stream().map(Resources::name).toList();
        m.volumes.delete("vol1", false);
        await().atMost(WAIT).until(() -> m.store.get(Volume.class, "vol1").isEmpty());
        assertTrue(m.cluster.launcher.running().isEmpty());
        List<String> log = m.cluster.launcher.log;
        int engineStop = log.indexOf("stop vol1-e-0");
        assertTrue(engineStop >= 0, log.toString());
        for (String r : names) {
            assertTrue(log.indexOf("stop " + r) > engineStop, log.toString());
        }
    }

    @Test
    void deletingAVolumeWhileAReplicaRebuildsIsRefusedUnlessForced() {
        create("vol1", 2);
        attachHealthy("vol1");
        m.cluster.engines.holdRebuilds(true);
        Replica victim = replicas("vol1").getFirst();
        m.volumes.replicaRemove("vol1", Resources.name(victim));
        await().atMost(WAIT).until(() -> engine("vol1").getStatus().replicaModeMap.containsValue("WO"));
        String rebuilding = engine("vol1").getStatus().replicaModeMap.entrySet().stream()
                .filter(e -> e.getValue().equals("WO")).findFirst().orElseThrow().getKey();
        var refused = org.junit.jupiter.api.Assertions.assertThrows(ConflictStateException.class,
                () -> m.volumes.delete("vol1", false));
        assertEquals("volume vol1 is rebuilding replica " + rebuilding + ": deleting it now throws away the rebuild"
                + " in progress; wait until it completes, or delete with force=true", refused.getMessage());
        assertFalse(Resources.isDeleting(volume("vol1")));
        m.volumes.delete("vol1", true);
        await().atMost(WAIT).until(() -> m.store.get(Volume.class, "vol1").isEmpty());
        assertTrue(m.cluster.launcher.running().isEmpty());
    }

    @Test
    void expandingAnAttachedVolumeGrowsTheEngineAndThenTheReplicasRecordIt() {
        create("vol1", 2);
        attachHealthy("vol1");
        m.volumes.expand("vol1", "128Mi");
        await().atMost(WAIT).untilAsserted(() -> {
            assertEquals(128L << 20, m.cluster.engines.engineOf("vol1").orElseThrow().size());
            assertTrue(replicas("vol1").stream().allMatch(r -> r.getSpec().volumeSize == 128L << 20));
            assertFalse(volume("vol1").getStatus().expansionRequired);
        });
    }

    @Test
    void aDetachedVolumeIsExpandedAtItsNextAttach() {
        create("vol1", 1);
        awaitState("vol1", "detached", "unknown");
        m.volumes.expand("vol1", "96Mi");
        await().atMost(WAIT).until(() -> volume("vol1").getStatus().expansionRequired);
        attachHealthy("vol1");
        await().atMost(WAIT).untilAsserted(() -> assertFalse(volume("vol1").getStatus().expansionRequired));
        assertEquals(96L << 20, m.cluster.engines.engineOf("vol1").orElseThrow().size());
        // The replica keeps the size it was created with until the engine grew it, so it reopens cleanly.
        assertEquals(64L << 20, m.cluster.launcher.lastRequest(Resources.name(replicas("vol1").getFirst())).orElseThrow().size());
    }

    @Test
    void loweringTheReplicaCountRemovesOneAndRaisingItAddsARebuiltOne() {
        create("vol1", 3);
        attachHealthy("vol1");
        m.volumes.updateReplicaCount("vol1", 2);
        await().atMost(WAIT).untilAsserted(() -> {
            assertEquals(2, replicas("vol1").size());
            assertEquals(2, engine("vol1").getStatus().replicaModeMap.size());
        });
        awaitState("vol1", "attached", "healthy");
        m.volumes.updateReplicaCount("vol1", 3);
        await().atMost(WAIT).untilAsserted(() -> {
            assertEquals(3, replicas("vol1").size());
            assertEquals(3, engine("vol1").getStatus().replicaModeMap.values().stream().filter("RW"::equals).count());
        });
    }

    @Test
    void whenEveryReplicaFailedAutoSalvageBringsBackTheLastHealthyOnes() {
        create("vol1", 2);
        attachHealthy("vol1");
        for (Replica r : replicas("vol1")) {
            m.cluster.launcher.crash(Resources.name(r));
        }
        await().atMost(WAIT).until(() -> m.ctx.events().list().stream().anyMatch(e -> e.reason().equals("Salvaged")));
        await().atMost(WAIT).untilAsserted(() -> {
            assertEquals("healthy", volume("vol1").getStatus().robustness);
            assertEquals(2, engine("vol1").getStatus().replicaModeMap.values().stream().filter("RW"::equals).count());
        });
        // The restart over the salvaged replicas was a salvage start, recorded as an event; the next is not.
        InstanceRequest salvaged = m.cluster.launcher.lastRequest(Resources.name(engine("vol1"))).orElseThrow();
        assertTrue(salvaged.salvage());
        assertTrue(m.ctx.events().list().stream().anyMatch(e -> e.reason().equals("SalvageStart")));
        await().atMost(WAIT).untilAsserted(() -> assertFalse(engine("vol1").getSpec().salvageStart));
    }

    @Test
    void everyEngineStartGetsTheLastGenerationSeenAsItsMinimum() {
        create("vol1", 2);
        attachHealthy("vol1");
        await().atMost(WAIT).untilAsserted(() -> assertEquals(1, engine("vol1").getStatus().generation));
        String name = Resources.name(engine("vol1"));
        assertEquals(0, m.cluster.launcher.lastRequest(name).orElseThrow().minGeneration());
        m.volumes.detach("vol1", null, false);
        awaitState("vol1", "detached", "unknown");
        assertEquals(1, engine("vol1").getStatus().generation, "kept while the engine is stopped");
        attachHealthy("vol1");
        InstanceRequest again = m.cluster.launcher.lastRequest(name).orElseThrow();
        assertEquals(1, again.minGeneration());
        assertFalse(again.salvage());
        await().atMost(WAIT).untilAsserted(() -> assertEquals(3, engine("vol1").getStatus().generation));
    }

    @Test
    void aSettledVolumeIsNotRewrittenByFurtherReconciles() {
        create("vol1", 2);
        attachHealthy("vol1");
        await().atMost(WAIT).until(() -> m.runtime().idle());
        String version = volume("vol1").getMetadata().getResourceVersion();
        String engineVersion = engine("vol1").getMetadata().getResourceVersion();
        m.runtime().enqueueAll("volume");
        m.runtime().enqueueAll("replica");
        await().atMost(WAIT).until(() -> m.runtime().idle());
        assertEquals(version, volume("vol1").getMetadata().getResourceVersion());
        assertEquals(engineVersion, engine("vol1").getMetadata().getResourceVersion());
    }

    @Test
    void controllersStartedAgainOverTheSameStoreAdoptWhatRuns() throws Exception {
        create("vol1", 2);
        attachHealthy("vol1");
        int starts = m.cluster.launcher.starts();
        m.controllers.close();
        var again = new io.longhorn.manager.controller.runtime.ControllerRuntime(Duration.ofSeconds(2));
        try (var second = new Controllers(m.ctx, again, m.cron, new io.longhorn.manager.jobs.RecurringJobRunner(m.ctx,
                m.snapshots, m.backups), io.longhorn.manager.testing.ManagerHarness.NO_REPLICA_CLIENTS)) {
            second.start();
            await().atMost(WAIT).until(again::idle);
            awaitState("vol1", "attached", "healthy");
            assertEquals(starts, m.cluster.launcher.starts(), "nothing was started again");
        }
    }

    @Test
    void whenEveryInstanceDiedWhileTheManagerWasDownTheVolumeComesBackAttachedOverNewProcesses() throws Exception {
        create("vol1", 2);
        attachHealthy("vol1");
        m.snapshots.create("vol1", "s1", null);
        Set<String> replicaNames = replicas("vol1").stream().map(Resources::name).collect(Collectors.toSet());
        m.controllers.close();
        m.cluster.launcher.forgetAll();
        var again = new io.longhorn.manager.controller.runtime.ControllerRuntime(Duration.ofSeconds(2));
        try (var second = new Controllers(m.ctx, again, m.cron, new io.longhorn.manager.jobs.RecurringJobRunner(m.ctx,
                m.snapshots, m.backups), io.longhorn.manager.testing.ManagerHarness.NO_REPLICA_CLIENTS)) {
            second.start();
            awaitState("vol1", "attached", "healthy");
            await().atMost(WAIT).untilAsserted(() -> assertEquals(replicaNames,
                    replicas("vol1").stream().map(Resources::name).collect(Collectors.toSet()), "the same replicas"));
            Engine e = engine("vol1");
            for (Replica r : replicas("vol1")) {
                assertEquals("tcp://" + r.getStatus().ip + ":" + r.getStatus().port,
                        e.getSpec().replicaAddressMap.get(Resources.name(r)), "the engine uses the new addresses");
            }
            assertEquals(List.of("s1"), m.cluster.engines.engineOf("vol1").orElseThrow().snapshotNames());
        }
    }
}
