package io.longhorn.engine.it;

import static io.longhorn.engine.it.Cluster.cli;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.engine.Empty;
import io.longhorn.api.engine.Rebuild;
import io.longhorn.api.engine.RebuildState;
import io.longhorn.api.engine.ReplicaMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synchronous replication under fio: identical replicas, a replica killed under load, a rebuild under load. */
class ReplicationIT {

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
    void fioWithVerifyOverThreeReplicasLeavesThemIdentical() throws Exception {
        List<ServiceProcess> rs = cluster.replicas("256Mi", "r1", "r2", "r3");
        try (Cluster.Engine engine = cluster.engine("vol1", rs)) {
            try (Fio fio = Fio.start(dir, "fill", engine.nbd, "--rw=randwrite", "--bs=64k", "--iodepth=16",
                    "--size=256M", "--verify=crc32c", "--do_verify=1", "--randseed=7")) {
                fio.awaitSuccess(5);
            }
            assertEquals("healthy", engine.info().getState());
        }
        List<String> hashes = cluster.hashEachAlone("vol1", rs);
        assertEquals(3, hashes.size());
        assertEquals(hashes.get(0), hashes.get(1), "replica 2 differs from replica 1");
        assertEquals(hashes.get(0), hashes.get(2), "replica 3 differs from replica 1");
    }

    @Test
    void replicaKilledUnderLoadIsErrAndAFreshOneRebuildsUnderLoad() throws Exception {
        List<ServiceProcess> rs = cluster.replicas("64Mi", "r1", "r2", "r3");
        ServiceProcess r1 = rs.get(0);
        ServiceProcess r2 = rs.get(1);
        ServiceProcess r3 = rs.get(2);
        ServiceProcess r4;
        try (Cluster.Engine engine = cluster.engine("vol1", List.of(r1, r2, r3))) {
            // Rate-limited so that it is still writing when the replica dies.
            try (Fio fio = Fio.start(dir, "kill", engine.nbd, "--rw=randwrite", "--bs=4k", "--iodepth=8",
                    "--size=32M", "--rate_iops=2000", "--verify=crc32c", "--do_verify=1", "--randseed=11")) {
                await().atMost(Duration.ofSeconds(30)).until(() -> fio.output().contains("connected"));
                await().pollDelay(Duration.ofMillis(1500)).until(() -> true);
                r2.kill9();
                assertTrue(fio.process.isAlive(), "fio was done before the replica died");
                fio.awaitSuccess(5);
            }
            assertEquals(ReplicaMode.ERR, engine.mode(Cluster.control(r2)));
            assertTrue(cli(engine, "info").ok().output().matches("(?s).*" + Cluster.control(r2) + "\\s+ERR.*"));

            r4 = cluster.replica("r4", "64Mi");
            try (Fio load = Fio.start(dir, "load", engine.nbd, "--rw=randwrite", "--bs=16k", "--iodepth=8",
                    "--size=64M", "--time_based", "--runtime=300", "--rate_iops=1500", "--randseed=13")) {
                await().atMost(Duration.ofSeconds(30)).until(() -> load.output().contains("connected"));
                Tool.Result add = cli(engine, "replica", "add", Cluster.control(r4)).ok();
                assertTrue(add.output().contains("is RW"), add.output());
                assertTrue(load.process.isAlive(), "the rebuild ran while the client was writing");
                // Writes go on to the rebuilt replica as RW for a moment before the client stops.
                await().pollDelay(Duration.ofSeconds(2)).until(() -> true);
                load.interruptAndCheck();
            }
            Rebuild done = engine.api().rebuildStatus(Empty.getDefaultInstance()).getRebuildsList().stream()
                    .filter(b -> b.getAddress().equals(Cluster.control(r4))).findFirst().orElseThrow();
            assertEquals(RebuildState.COMPLETE, done.getState());
            assertTrue(done.getBytesTotal() > 0 && done.getBytesDone() == done.getBytesTotal(), done.toString());
            assertEquals(ReplicaMode.RW, engine.mode(Cluster.control(r4)));
            String status = cli(engine, "rebuild-status").ok().output();
            assertTrue(status.matches("(?s).*" + Cluster.control(r4) + "\\s+COMPLETE\\s+100%.*"), status);
            String ls = cli(engine, "replica", "ls").ok().output();
            assertTrue(ls.matches("(?s).*" + Cluster.control(r4) + "\\s+RW.*"), ls);
            assertTrue(ls.matches("(?s).*" + Cluster.control(r2) + "\\s+ERR.*"), ls);
            cli(engine, "replica", "rm", Cluster.control(r2)).ok();
            assertFalse(cli(engine, "replica", "ls").ok().output().contains(Cluster.control(r2) + " "));
            assertEquals("healthy", engine.info().getState());
        }
        List<String> hashes = cluster.hashEachAlone("vol1", List.of(r1, r3, r4));
        assertEquals(hashes.get(0), hashes.get(1), "replica 3 differs from replica 1");
        assertEquals(hashes.get(0), hashes.get(2), "the rebuilt replica differs from replica 1");
    }

    @Test
    void replicaBackFromABriefAbsenceCopiesOnlyWhatChanged() throws Exception {
        List<ServiceProcess> rs = cluster.replicas("64Mi", "r1", "r2");
        ServiceProcess r1 = rs.get(0);
        ServiceProcess r2 = rs.get(1);
        ServiceProcess back;
        try (Cluster.Engine engine = cluster.engine("vol1", List.of(r1, r2))) {
            Tool.run(Cluster.TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x41 0 24M", "-c", "flush",
                    engine.nbd).ok();
            r2.kill9();
            Tool.run(Cluster.TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x42 40M 1M", "-c", "flush",
                    engine.nbd).ok();
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.mode(Cluster.control(r2)) == ReplicaMode.ERR);
            back = cluster.replicaIn(dir.resolve("r2"), "64Mi");
            cli(engine, "replica", "rm", Cluster.control(r2)).ok();
            cli(engine, "replica", "add", Cluster.control(back)).ok();

            Rebuild done = engine.api().rebuildStatus(Empty.getDefaultInstance()).getRebuilds(0);
            assertEquals(RebuildState.COMPLETE, done.getState());
            assertTrue(done.getBytesTotal() >= 25L << 20, done.toString());
            // Only the chunks around the 1 MiB it missed differ (checksums per 2 MiB chunk).
            assertTrue(done.getBytesCopied() <= 4L << 20, "copied " + done.getBytesCopied() + " bytes: " + done);
            assertTrue(done.getBytesCopied() > 0, done.toString());
            assertEquals("healthy", engine.info().getState());
        }
        List<String> hashes = cluster.hashEachAlone("vol1", List.of(r1, back));
        assertEquals(hashes.get(0), hashes.get(1), "the returning replica differs");
    }
}
