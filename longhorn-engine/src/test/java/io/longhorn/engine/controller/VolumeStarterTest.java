package io.longhorn.engine.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VolumeStarterTest {

    final FakeConnector connector = new FakeConnector();
    VolumeController volume;

    @AfterEach
    void close() {
        if (volume != null) {
            volume.close();
        }
    }

    VolumeController start(String... addresses) {
        volume = VolumeStarter.start(new EngineOptions("vol1", List.of(addresses), Duration.ofSeconds(8)), connector,
                FrontendFactory.NONE);
        return volume;
    }

    ReplicaStatus status(String address) {
        return volume.replicaStatus().stream().filter(r -> r.address().equals(address)).findFirst().orElseThrow();
    }

    @Test
    void staleReplicaIsErrAndReceivesNothing() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 6);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", 1 << 20, 4);
        start(b.address, a.address);

        assertEquals(ReplicaMode.ERR, status(b.address).mode());
        assertTrue(status(b.address).error().contains("stale"), status(b.address).error());
        assertEquals(ReplicaMode.RW, status(a.address).mode());
        assertEquals(7, a.generation, "the next odd generation is recorded before serving");
        assertEquals(4, b.generation);
        volume.device().write(0, ByteBuffer.allocate(4096), false).get(5, TimeUnit.SECONDS);
        assertEquals(0, b.writes.get());
    }

    @Test
    void unreachableReplicaIsErrAndTheVolumeStartsOnTheOthers() {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 2);
        start(a.address, "tcp://10.0.0.9:9502");
        assertEquals(ReplicaMode.RW, status(a.address).mode());
        assertEquals(ReplicaMode.ERR, status("tcp://10.0.0.9:9502").mode());
        assertTrue(status("tcp://10.0.0.9:9502").error().contains("unreachable"));
    }

    @Test
    void volumeWithoutAUsableReplicaDoesNotStart() {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 2);
        a.rebuilding = true;
        VolumeException e = assertThrows(VolumeException.class, () -> start(a.address, "tcp://10.0.0.9:9502"));
        assertEquals(VolumeException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("rebuild did not finish"), e.getMessage());
        assertTrue(e.getMessage().contains("tcp://10.0.0.9:9502: unreachable"), e.getMessage());
    }

    @Test
    void replicasBelowTheMinimumGenerationAreRefusedAndOnlyASalvageServesThem() throws Exception {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 5);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", 1 << 20, 5);
        List<String> both = List.of(a.address, b.address);
        VolumeException e = assertThrows(VolumeException.class, () -> VolumeStarter.start(
                new EngineOptions("vol1", both, Duration.ofSeconds(8), 9, false), connector, FrontendFactory.NONE));
        assertEquals(VolumeException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("refusing to serve stale data"), e.getMessage());
        assertTrue(e.getMessage().contains(a.address + " generation 5"), e.getMessage());
        assertEquals(5, a.generation, "a refused start records nothing");
        assertEquals(0, a.writes.get());

        volume = VolumeStarter.start(new EngineOptions("vol1", both, Duration.ofSeconds(8), 9, true), connector,
                FrontendFactory.NONE);
        assertTrue(volume.salvaged().contains("behind generation 9"), volume.salvaged());
        assertEquals(ReplicaMode.RW, status(a.address).mode());
        assertEquals(11, a.generation, "a salvage records a generation above the minimum");
    }

    @Test
    void badOptionsAreRefusedBeforeAnyReplicaIsContacted() {
        assertEquals(VolumeException.Kind.INVALID_ARGUMENT,
                assertThrows(VolumeException.class, () -> start("not an address")).kind());
        assertEquals(VolumeException.Kind.INVALID_ARGUMENT, assertThrows(VolumeException.class,
                () -> VolumeStarter.start(new EngineOptions("Bad_Name", List.of("tcp://10.0.0.1:1"), Duration.ofSeconds(1)),
                        connector, FrontendFactory.NONE)).kind());
        assertEquals(VolumeException.Kind.INVALID_ARGUMENT,
                assertThrows(VolumeException.class, () -> start("tcp://10.0.0.1:9502", "10.0.0.1:9502")).kind());
    }

    @Test
    void replicaOfTheWrongSizeCannotBeAdded() {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 0);
        FakeReplica small = connector.add("tcp://10.0.0.2:9502", 1 << 19, 0);
        start(a.address);
        VolumeException e = assertThrows(VolumeException.class, () -> volume.addReplica(small.address));
        assertEquals(VolumeException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("size"), e.getMessage());
        assertEquals(1, volume.replicaStatus().size(), "the volume is unchanged");
        assertTrue(a.snapshots.isEmpty());
    }

    @Test
    void unreachableReplicaCannotBeAddedAndTheVolumeIsUnchanged() {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 0);
        start(a.address);
        VolumeException e = assertThrows(VolumeException.class, () -> volume.addReplica("tcp://10.0.0.7:9502"));
        assertEquals(VolumeException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("tcp://10.0.0.7:9502"), e.getMessage());
        assertEquals(1, volume.replicaStatus().size());
        assertTrue(a.snapshots.isEmpty());
    }

    @Test
    void lastRwReplicaCannotBeRemoved() {
        FakeReplica a = connector.add("tcp://10.0.0.1:9502", 1 << 20, 0);
        FakeReplica b = connector.add("tcp://10.0.0.2:9502", 1 << 20, 0);
        start(a.address, b.address);
        volume.removeReplica(b.address);
        assertEquals(1, volume.replicaStatus().size());
        assertTrue(a.generation > b.generation, "the remaining replica moved to a higher generation");
        assertEquals(VolumeException.Kind.FAILED_PRECONDITION,
                assertThrows(VolumeException.class, () -> volume.removeReplica(a.address)).kind());
        assertEquals(VolumeException.Kind.NOT_FOUND,
                assertThrows(VolumeException.class, () -> volume.removeReplica(b.address)).kind());
    }
}
