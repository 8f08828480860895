package io.longhorn.engine.it;

import static io.longhorn.engine.it.Cluster.TOOL_TIMEOUT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.engine.Replica;
import io.longhorn.api.engine.ReplicaMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Split brain: an engine that was paused while a newer one took over writes nothing more. */
class FenceIT {

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

    @Test
    void aPausedEngineThatANewerOneReplacedCannotWriteWhenItWakesUp() throws Exception {
        List<ServiceProcess> rs = cluster.replicas("16Mi", "r1", "r2", "r3");
        Cluster.Engine a = cluster.engine("vol1", rs);
        CrashRestartIT.qemuIo(a.nbd, "write -P 0x11 0 8M", "flush");

        a.process.signal("STOP");
        try {
            Cluster.Engine b = cluster.engine("vol1", rs);
            // A did not shut down cleanly: B resynchronises two replicas from the first, then serves.
            b.awaitHealthy();
            CrashRestartIT.qemuIo(b.nbd, "write -P 0x22 0 8M", "flush");
        } finally {
            a.process.signal("CONT");
        }

        // A wakes up with its connections closed by the replicas; whatever it tries fails.
        Tool.Result write = Tool.run(TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x33 0 1M", "-c", "flush",
                a.nbd);
        assertTrue(write.output().contains("Input/output error"), write.output());
        await().atMost(Duration.ofSeconds(60)).until(() -> a.info().getReplicasList().stream()
                .allMatch(r -> r.getMode() == ReplicaMode.ERR));
        for (Replica r : a.info().getReplicasList()) {
            assertEquals(ReplicaMode.ERR, r.getMode(), r.toString());
        }
        Tool.Result again = Tool.run(TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x44 1M 1M", a.nbd);
        assertTrue(again.output().contains("Input/output error"), again.output());

        // B's data is on every replica, and nothing of A's after the take-over.
        Cluster.Engine b = cluster.engines.getLast();
        for (int i = 0; i < 3; i++) {
            CrashRestartIT.qemuIo(b.nbd, "read -P 0x22 0 8M");
        }
        for (ServiceProcess r : rs) {
            assertEquals(ReplicaMode.RW, b.mode(Cluster.control(r)));
        }
        a.close();
        b.close();
        List<String> hashes = cluster.hashEachAlone("vol1", rs);
        assertEquals(1, hashes.stream().distinct().count(), hashes.toString());
        Cluster.Engine check = cluster.engine("vol1", List.of(rs.getFirst()));
        CrashRestartIT.qemuIo(check.nbd, "read -P 0x22 0 8M");
    }
}
