package io.longhorn.engine.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.engine.ReplicaMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica that missed acknowledged writes is never served when the up-to-date ones are away,
 * unless a salvage asks for it, and then the engine says so.
 */
class StaleStartIT {

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
    void aReplicaLeftBehindIsRefusedWhenTheGoodOnesAreGoneAndServedOnlyBySalvage() throws Exception {
        List<ServiceProcess> rs = cluster.replicas("16Mi", "r1", "r2", "r3");
        ServiceProcess r1 = rs.get(0);
        ServiceProcess r2 = rs.get(1);
        ServiceProcess r3 = rs.get(2);
        Cluster.Engine first = cluster.engine("vol1", List.of(r1, r2, r3));
        CrashRestartIT.qemuIo(first.nbd, "write -P 0x11 0 4M", "flush");

        // r3 is killed and left behind; acknowledged writes go on without it.
        r3.kill9();
        CrashRestartIT.qemuIo(first.nbd, "write -P 0x22 4M 4M", "flush");
        await().atMost(Duration.ofSeconds(30)).until(() -> first.mode(Cluster.control(r3)) == ReplicaMode.ERR);
        long last = first.info().getGeneration();
        ServiceProcess r3again = cluster.replicaIn(dir.resolve("r3"), "16Mi");

        // The engine dies, and so do the two good replicas.
        first.process.kill9();
        r1.kill9();
        r2.kill9();

        // The manager passes the last generation it saw: the start is refused, naming the replica.
        ServiceProcess refused = cluster.launchEngine("vol1", List.of(r3again), "--min-generation", Long.toString(last));
        assertEquals(1, refused.awaitExit(Duration.ofMinutes(2)), refused.output());
        String why = refused.output();
        assertTrue(why.contains("refusing to serve stale data"), why);
        assertTrue(why.contains(Cluster.control(r3again)), why);
        assertTrue(why.contains("minimum generation " + last), why);

        // The good replicas listed too, but unreachable: refused all the same.
        ServiceProcess alsoRefused = cluster.launchEngine("vol1", List.of(r3again, r1, r2), "--min-generation",
                Long.toString(last));
        assertEquals(1, alsoRefused.awaitExit(Duration.ofMinutes(2)), alsoRefused.output());

        // A salvage serves what r3 has, and says what it gave up.
        Cluster.Engine salvaged = cluster.engine("vol1", List.of(r3again), "--min-generation", Long.toString(last),
                "--salvage");
        String out = salvaged.process.output();
        assertTrue(out.contains("engine salvaged: volume vol1"), out);
        assertTrue(out.contains("behind generation " + last), out);
        assertEquals(ReplicaMode.RW, salvaged.mode(Cluster.control(r3again)));
        assertTrue(salvaged.info().getGeneration() > last, "a salvage moves above every generation seen");
        CrashRestartIT.qemuIo(salvaged.nbd, "read -P 0x11 0 4M", "read -P 0 4M 4M");
    }
}
