package io.longhorn.engine.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.wire.WireStatus;
import io.longhorn.engine.frontend.BlockDeviceException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VolumeDeviceTest {

    static final int SIZE = 1 << 20;
    final FakeConnector connector = new FakeConnector();
    VolumeController volume;

    @AfterEach
    void close() {
        if (volume != null) {
            volume.close();
        }
    }

    VolumeController start(Duration timeout, String... addresses) {
        volume = VolumeStarter.start(new EngineOptions("vol1", List.of(addresses), timeout), connector, FrontendFactory.NONE);
        return volume;
    }

    static ByteBuffer pattern(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }

    static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no answer", e);
        }
        throw new AssertionError("expected a failure");
    }

    ReplicaMode mode(String address) {
        return volume.replicaStatus().stream().filter(r -> r.address().equals(address)).findFirst().orElseThrow().mode();
    }

    @Test
    void writeIsAcknowledgedOnlyAfterAllReplicasReply() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", SIZE, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", SIZE, 0);
        start(Duration.ofSeconds(8), a.address, b.address);
        a.behaviour = FakeReplica.Behaviour.HOLD;
        b.behaviour = FakeReplica.Behaviour.HOLD;

        CompletableFuture<Void> w = volume.device().write(4096, pattern(8192, 7), false);
        a.releaseHeld();
        assertFalse(w.isDone(), "acknowledged before replica b answered");
        b.releaseHeld();
        w.get(5, TimeUnit.SECONDS);
        a.behaviour = FakeReplica.Behaviour.OK;
        b.behaviour = FakeReplica.Behaviour.OK;

        assertArrayEquals(pattern(8192, 7).array(), a.bytes(4096, 8192));
        assertArrayEquals(pattern(8192, 7).array(), b.bytes(4096, 8192));
    }

    @Test
    void failedReplicaIsMarkedErrAndIoContinues() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", SIZE, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", SIZE, 0);
        start(Duration.ofSeconds(8), a.address, b.address);
        b.behaviour = FakeReplica.Behaviour.FAIL;

        volume.device().write(0, pattern(4096, 1), false).get(5, TimeUnit.SECONDS);
        assertEquals(ReplicaMode.ERR, mode(b.address));
        assertEquals(ReplicaMode.RW, mode(a.address));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.closed); // the failed replica's connection is closed

        int before = b.writes.get();
        volume.device().write(4096, pattern(4096, 2), false).get(5, TimeUnit.SECONDS);
        assertEquals(before, b.writes.get(), "an ERR replica receives no more writes");
        ByteBuffer back = ByteBuffer.allocate(8192);
        volume.device().read(0, back).get(5, TimeUnit.SECONDS);
        assertEquals(1, back.get(0));
        assertEquals(2, back.get(4096));
        assertEquals("degraded", volume.status().state());
    }

    @Test
    void writeMissedByAFailedReplicaWaitsUntilTheOthersRecordedAHigherGeneration() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", SIZE, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", SIZE, 0);
        start(Duration.ofSeconds(8), a.address, b.address);
        long startGeneration = a.generation;
        CountDownLatch gate = new CountDownLatch(1);
        a.generationGate = gate;
        b.behaviour = FakeReplica.Behaviour.FAIL;

        CompletableFuture<Void> w = volume.device().write(0, pattern(4096, 1), false);
        // The data is on a, but b missed it: no acknowledgement while a's generation is old.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !w.isDone());
        CompletableFuture<Void> next = volume.device().write(4096, pattern(4096, 2), false);
        assertFalse(next.isDone(), "a later write b also misses waits as well");
        gate.countDown();
        w.get(5, TimeUnit.SECONDS);
        next.get(5, TimeUnit.SECONDS);
        assertTrue(a.generation > startGeneration, "a carries a higher generation");
        assertTrue(b.generation < a.generation, "b is behind, so stale after a crash");
        assertEquals(1, a.generation % 2, "generations stay odd while serving");
    }

    @Test
    void ioFailsWithEioWhenNoRwReplicaRemains() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", SIZE, 0);
        start(Duration.ofSeconds(8), a.address);
        a.behaviour = FakeReplica.Behaviour.FAIL;

        Throwable t = failure(volume.device().write(0, pattern(4096, 1), false));
        assertEquals(WireStatus.EIO, assertInstanceOf(BlockDeviceException.class, t).errno());
        Throwable r = failure(volume.device().read(0, ByteBuffer.allocate(4096)));
        assertEquals(WireStatus.EIO, assertInstanceOf(BlockDeviceException.class, r).errno());
        assertEquals("faulted", volume.status().state());
    }

    @Test
    void readsGoRoundRobinAndFailOverToTheNextReplica() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", SIZE, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", SIZE, 0);
        start(Duration.ofSeconds(8), a.address, b.address);
        volume.device().write(0, pattern(4096, 9), false).get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 10; i++) {
            volume.device().read(0, ByteBuffer.allocate(4096)).get(5, TimeUnit.SECONDS);
        }
        assertTrue(a.reads.get() >= 3 && b.reads.get() >= 3, "reads spread: " + a.reads + " / " + b.reads);

        a.behaviour = FakeReplica.Behaviour.FAIL;
        b.behaviour = FakeReplica.Behaviour.OK;
        for (int i = 0; i < 4; i++) {
            ByteBuffer back = ByteBuffer.allocate(4096);
            volume.device().read(0, back).get(5, TimeUnit.SECONDS);
            assertEquals(9, back.get(100));
        }
        assertEquals(ReplicaMode.ERR, mode(a.address));
    }

    @Test
    void outOfRangeAndUnalignedRequestsGetEinvalAndReachNoReplica() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", SIZE, 0);
        start(Duration.ofSeconds(8), a.address);

        for (CompletableFuture<Void> f : List.of(
                volume.device().write(SIZE, pattern(4096, 1), false),
                volume.device().write(SIZE - 4096, pattern(8192, 1), false),
                volume.device().read(Long.MAX_VALUE - 4095, ByteBuffer.allocate(4096)),
                volume.device().write(100, pattern(4096, 1), false),
                volume.device().trim(0, 100),
                volume.device().writeZeroes(-4096, 4096, false))) {
            assertEquals(WireStatus.EINVAL, assertInstanceOf(BlockDeviceException.class, failure(f)).errno());
        }
        assertEquals(0, a.writes.get());
        assertEquals(ReplicaMode.RW, mode(a.address));
        volume.device().write(SIZE - 4096, pattern(4096, 1), false).get(5, TimeUnit.SECONDS);
    }

    @Test
    void replicaThatDoesNotAnswerIsSetToErrByTheWatchdog() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", SIZE, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", SIZE, 0);
        start(Duration.ofMillis(300), a.address, b.address);
        b.behaviour = FakeReplica.Behaviour.HANG;

        CompletableFuture<Void> w = volume.device().write(0, pattern(4096, 3), false);
        w.get(10, TimeUnit.SECONDS);
        assertEquals(ReplicaMode.ERR, mode(b.address));
        assertTrue(volume.replicaStatus().stream().filter(r -> r.address().equals(b.address)).findFirst()
                .orElseThrow().error().contains("timeout"));
    }

    @Test
    void replicaWhoseConnectionIsLostWhileTheVolumeIsIdleIsSetToErr() {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", SIZE, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", SIZE, 0);
        start(Duration.ofMillis(200), a.address, b.address);
        b.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> mode(b.address) == ReplicaMode.ERR);
        assertEquals(ReplicaMode.RW, mode(a.address));
    }

    @Test
    void flushReachesEveryReplica() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", SIZE, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", SIZE, 0);
        start(Duration.ofSeconds(8), a.address, b.address);
        b.behaviour = FakeReplica.Behaviour.HOLD;
        CompletableFuture<Void> f = volume.device().flush();
        assertEquals(1, a.flushes.get());
        assertFalse(f.isDone(), "flush answered before every replica flushed");
        b.behaviour = FakeReplica.Behaviour.OK;
        b.releaseHeld();
        f.get(5, TimeUnit.SECONDS);
        assertEquals(1, b.flushes.get());
    }

    @Test
    void cleanShutdownRecordsAnEvenGeneration() {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", SIZE, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", SIZE, 0);
        start(Duration.ofSeconds(8), a.address, b.address);
        assertEquals(1, a.generation);
        volume.close();
        volume = null;
        assertEquals(2, a.generation);
        assertEquals(2, b.generation);
    }
}
