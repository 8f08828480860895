package io.longhorn.engine.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SnapshotTest {

    final FakeConnector connector = new FakeConnector();
    VolumeController volume;

    @AfterEach
    void close() {
        if (volume != null) {
            volume.close();
        }
    }

    void start(String... addresses) {
        volume = VolumeStarter.start(new EngineOptions("vol1", List.of(addresses), Duration.ofSeconds(8)), connector,
                FrontendFactory.NONE);
    }

    ReplicaMode mode(String address) {
        return volume.replicaStatus().stream().filter(r -> r.address().equals(address)).findFirst().orElseThrow().mode();
    }

    @Test
    void snapshotWaitsForWritesInFlightAndHoldsNewOnesUntilEveryReplicaTookIt() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", 1 << 20, 0);
        start(a.address, b.address);
        a.behaviour = FakeReplica.Behaviour.HOLD;
        a.holdFlushes = false; // the flush before the pause passes; the write stays in flight
        CompletableFuture<Void> inflight = volume.device().write(0, ByteBuffer.allocate(4096), false);

        CompletableFuture<SnapshotResult> snap = CompletableFuture.supplyAsync(() -> volume.snapshot("s1", Map.of()));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> volume.gate.isPaused());
        assertFalse(snap.isDone(), "snapshot taken while a write was in flight");
        assertTrue(a.snapshots.isEmpty());

        a.behaviour = FakeReplica.Behaviour.OK;
        CompletableFuture<Void> queued = volume.device().write(4096, ByteBuffer.allocate(4096), false);
        a.releaseHeld();
        inflight.get(5, TimeUnit.SECONDS);
        SnapshotResult r = snap.get(5, TimeUnit.SECONDS);
        queued.get(5, TimeUnit.SECONDS);

        assertEquals("s1", r.name());
        assertEquals(2, r.replicas());
        assertTrue(r.pauseMicros() > 0);
        assertEquals(List.of("s1"), a.snapshots);
        assertEquals(List.of("s1"), b.snapshots);
        assertEquals(List.of("s1"), volume.snapshots().snapshots().stream().map(SnapshotView::name).toList());
    }

    @Test
    void snapshotFlushesEveryReplicaBeforeItPausesIo() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", 1 << 20, 0);
        start(a.address, b.address);
        volume.device().write(0, ByteBuffer.allocate(4096), false).get(5, TimeUnit.SECONDS);
        int before = a.flushes.get();

        volume.snapshot("s1", Map.of());
        assertTrue(a.flushesAtSnapshot.getFirst() > before, "no flush before the snapshot: " + a.flushesAtSnapshot);
        assertTrue(b.flushesAtSnapshot.getFirst() > 0, "no flush before the snapshot: " + b.flushesAtSnapshot);
    }

    @Test
    void replicaThatDoesNotAnswerWhileIoIsPausedBecomesErrAndIoResumes() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", 1 << 20, 0);
        volume = VolumeStarter.start(new EngineOptions("vol1", List.of(a.address, b.address), Duration.ofMillis(500)),
                connector, FrontendFactory.NONE);
        CountDownLatch hung = new CountDownLatch(1);
        b.snapshotGate = hung;
        try {
            CompletableFuture<SnapshotResult> snap = CompletableFuture.supplyAsync(() -> volume.snapshot("s1", Map.of()));
            // The replica never answers: the snapshot must not wait for it (nor for its gRPC deadline).
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).until(snap::isDone);
            assertEquals(1, snap.get().replicas());
            assertEquals(ReplicaMode.RW, mode(a.address));
            assertEquals(ReplicaMode.ERR, mode(b.address));
            assertFalse(volume.gate.isPaused());
            volume.device().write(0, ByteBuffer.allocate(4096), false).get(5, TimeUnit.SECONDS);
        } finally {
            hung.countDown();
        }
    }

    @Test
    void replicaThatFailsToSnapshotBecomesErrNotADivergentRw() {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", 1 << 20, 0);
        start(a.address, b.address);
        b.failSnapshot = true;

        SnapshotResult r = volume.snapshot("s1", Map.of());
        assertEquals(1, r.replicas());
        assertEquals(ReplicaMode.RW, mode(a.address));
        assertEquals(ReplicaMode.ERR, mode(b.address));
    }

    @Test
    void snapshotThatFailsEverywhereIsAnErrorAndChangesNoMode() {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", 1 << 20, 0);
        start(a.address, b.address);
        a.failSnapshot = true;
        b.failSnapshot = true;

        VolumeException e = assertThrows(VolumeException.class, () -> volume.snapshot("s1", Map.of()));
        assertTrue(e.getMessage().contains("s1"), e.getMessage());
        assertEquals(ReplicaMode.RW, mode(a.address));
        assertEquals(ReplicaMode.RW, mode(b.address));
        assertFalse(volume.gate.isPaused(), "I/O resumed");
    }

    @Test
    void badOrDuplicateSnapshotNamesAreRefused() {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 0);
        start(a.address);
        volume.snapshot("s1", Map.of());
        assertEquals(VolumeException.Kind.ALREADY_EXISTS,
                assertThrows(VolumeException.class, () -> volume.snapshot("s1", Map.of())).kind());
        assertEquals(VolumeException.Kind.INVALID_ARGUMENT,
                assertThrows(VolumeException.class, () -> volume.snapshot("bad name!", Map.of())).kind());
        assertEquals(VolumeException.Kind.NOT_FOUND,
                assertThrows(VolumeException.class, () -> volume.removeSnapshot("nope")).kind());
        assertEquals(List.of("s1"), a.snapshots);
    }

    @Test
    void revertIsRefusedWhileTheFrontendServes() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 0);
        volume = VolumeStarter.start(new EngineOptions("vol1", List.of(a.address), Duration.ofSeconds(8)), connector,
                (device, stats) -> new io.longhorn.engine.frontend.Frontend() {
                    @Override
                    public void start() {
                    }

                    @Override
                    public String endpoint() {
                        return "nbd://127.0.0.1:1/vol1";
                    }

                    @Override
                    public void close() {
                    }
                });
        volume.snapshot("s1", Map.of());
        volume.startFrontend();
        VolumeException e = assertThrows(VolumeException.class, () -> volume.revert("s1"));
        assertEquals(VolumeException.Kind.FAILED_PRECONDITION, e.kind());
        volume.stopFrontend();
        volume.revert("s1");
    }
}
