package io.longhorn.engine.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.api.engine.ReplicaMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine started together with its replicas ({@code --replica-wait}): it waits for replicas
 * that do not serve yet, and one that never comes up ends exactly as an unreachable one does
 * without the wait.
 */
class EarlyStartIT {

    @TempDir
    Path dir;
    Cluster cluster;

    @BeforeEach
    void start() throws Exception {
        Path secret = dir.resolve("vol1.secret");
        VolumeSecret.createIfMissing(secret);
        cluster = new Cluster(dir).withSecret(secret);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void anEngineStartedBeforeItsReplicasWaitsForThemAndServesOnAll() throws Exception {
        List<Integer> ports = List.of(Cluster.freePort(), Cluster.freePort(), Cluster.freePort());
        List<String> controls = ports.stream().map(p -> "tcp://127.0.0.1:" + p).toList();
        ServiceProcess launched = cluster.launchEngineOver("vol1", controls, "--replica-wait", "2m");
        // The engine asks before any replica runs: wait until it says it waits, then start them.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> launched.output().contains("does not answer yet") || !launched.process.isAlive());
        assertTrue(launched.process.isAlive(), launched.output());
        List<ServiceProcess> replicas = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            replicas.add(cluster.launchReplicaAt("r" + i, "16Mi", ports.get(i)));
        }
        Cluster.Engine engine = cluster.awaitEngine(launched);
        for (String c : controls) {
            assertEquals(ReplicaMode.RW, engine.mode(c), c);
        }
        CrashRestartIT.qemuIo(engine.nbd, "write -P 0x5a 0 1M", "flush", "read -P 0x5a 0 1M");
        // Every replica received the write: each alone serves it.
        engine.close();
        replicas.forEach(ServiceProcess::awaitReady);
        List<String> hashes = cluster.hashEachAlone("vol1", replicas);
        assertEquals(1, hashes.stream().distinct().count(), hashes.toString());
    }

    @Test
    void aReplicaThatNeverComesUpIsUnreachableAfterTheWaitAndTheOthersServe() throws Exception {
        List<ServiceProcess> rs = cluster.replicas("16Mi", "r1", "r2");
        String silent = "tcp://127.0.0.1:" + Cluster.freePort();
        List<String> controls = List.of(Cluster.control(rs.get(0)), silent, Cluster.control(rs.get(1)));

        Cluster.Engine engine = cluster.awaitEngine(cluster.launchEngineOver("vol1", controls, "--replica-wait", "3s"));

        // The same outcome as an unreachable replica without the wait: ERR, the others RW.
        assertEquals(ReplicaMode.ERR, engine.mode(silent));
        assertEquals(ReplicaMode.RW, engine.mode(Cluster.control(rs.get(0))));
        assertEquals(ReplicaMode.RW, engine.mode(Cluster.control(rs.get(1))));
        String out = engine.process.output();
        assertTrue(out.contains("unreachable") && out.contains("still after waiting 3000 ms"), out);
        CrashRestartIT.qemuIo(engine.nbd, "write -P 0x33 0 1M", "read -P 0x33 0 1M");
    }

    @Test
    void noReplicaComingUpWithinTheWaitFailsTheStartNamingThem() throws Exception {
        String a = "tcp://127.0.0.1:" + Cluster.freePort();
        String b = "tcp://127.0.0.1:" + Cluster.freePort();
        ServiceProcess engine = cluster.launchEngineOver("vol1", List.of(a, b), "--replica-wait", "2s");
        assertEquals(1, engine.awaitExit(Duration.ofMinutes(2)), engine.output());
        String out = engine.output();
        assertTrue(out.contains("has no replica that can serve"), out);
        assertTrue(out.contains(a) && out.contains(b), out);
    }
}
