package io.longhorn.engine.it;

import static io.longhorn.engine.it.Cluster.TOOL_TIMEOUT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.client.ReplicaDataClient;
import io.longhorn.api.engine.Empty;
import io.longhorn.api.engine.Replica;
import io.longhorn.api.engine.ReplicaMode;
import io.longhorn.api.types.Address;
import io.longhorn.api.wire.Hello;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of the engine: what was flushed survives, and a replica that missed writes is not used. */
class CrashRestartIT {

    @TempDir
    Path dir;
    Cluster cluster;

    @BeforeEach
    void start() {
        cluster = new Cluster(dir);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    static void qemuIo(String nbd, String... commands) {
        List<String> cmd = new java.util.ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(nbd);
        Tool.run(TOOL_TIMEOUT, java.util.Map.of(), cmd).ok();
    }

    @Test
    void engineRestartedAfterKill9ServesEveryFlushedWriteAndNotTheStaleReplica() throws Exception {
        List<ServiceProcess> rs = cluster.replicas("64Mi", "r1", "r2", "r3");
        ServiceProcess r1 = rs.get(0);
        ServiceProcess r2 = rs.get(1);
        ServiceProcess r3 = rs.get(2);
        Cluster.Engine first = cluster.engine("vol1", List.of(r1, r2, r3));
        qemuIo(first.nbd, "write -P 0x11 0 4M", "flush");

        r3.kill9();
        qemuIo(first.nbd, "write -P 0x22 4M 4M", "flush");
        await().atMost(Duration.ofSeconds(30)).until(() -> first.mode(Cluster.control(r3)) == ReplicaMode.ERR);
        // Back, under a new address, but it missed the second write.
        ServiceProcess r3again = cluster.replicaIn(dir.resolve("r3"), "64Mi");
        qemuIo(first.nbd, "write -P 0x33 8M 4M", "flush");
        first.process.kill9();
        // A write that was in flight at the crash reached r2 only: same generation, different data.
        // (The killed engine's connections are gone; this one announces a generation at least r2's.)
        try (ReplicaDataClient direct = ReplicaDataClient.connect(Address.parse(r2.field("data")), Duration.ofSeconds(10),
                new Hello("vol1", 1L << 40, "the-crashed-engine"))) {
            byte[] x = new byte[1 << 20];
            java.util.Arrays.fill(x, (byte) 0x5e);
            direct.write(12L << 20, ByteBuffer.wrap(x), true).get(30, TimeUnit.SECONDS);
        }

        // The stale replica comes first: it must still not be chosen.
        Cluster.Engine second = cluster.engine("vol1", List.of(r3again, r1, r2));
        Replica stale = second.info().getReplicasList().getFirst();
        assertEquals(Cluster.control(r3again), stale.getAddress());
        assertEquals(ReplicaMode.ERR, stale.getMode());
        assertTrue(stale.getError().contains("stale"), stale.getError());
        qemuIo(second.nbd, "read -P 0x11 0 4M", "read -P 0x22 4M 4M", "read -P 0x33 8M 4M", "read -P 0 12M 4M");

        // r1 and r2 were both current, but the engine stopped without a clean shutdown: r2 is
        // resynchronised from r1 (the first current one listed) and then serves again, with r1's
        // data where they differed.
        await().atMost(Duration.ofMinutes(2)).until(() -> second.mode(Cluster.control(r2)) == ReplicaMode.RW);
        assertEquals(ReplicaMode.RW, second.mode(Cluster.control(r1)));
        assertEquals(1, second.api().rebuildStatus(Empty.getDefaultInstance()).getRebuildsCount());
        for (int i = 0; i < 4; i++) {
            qemuIo(second.nbd, "read -P 0x22 4M 4M", "read -P 0 12M 1M");
        }
        second.close();

        // After a clean shutdown both start RW at once, without a resync.
        Cluster.Engine third = cluster.engine("vol1", List.of(r1, r2));
        assertEquals("healthy", third.info().getState());
        assertEquals(0, third.api().rebuildStatus(Empty.getDefaultInstance()).getRebuildsCount());
        qemuIo(third.nbd, "read -P 0x33 8M 4M", "read -P 0 12M 1M", "read -P 0x33 8M 4M", "read -P 0 12M 1M");
    }
}
