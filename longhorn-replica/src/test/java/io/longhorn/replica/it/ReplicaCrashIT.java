package io.longhorn.replica.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.replica.Empty;
import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.replica.ReplicaServiceGrpc;
import io.longhorn.api.replica.SnapshotCreateRequest;
import io.longhorn.api.replica.SnapshotInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of the replica process in the middle of work, then a restart over the same directory.
 * The moment of the kill is random (seeded by -Dcrash.seed, printed on failure).
 */
class ReplicaCrashIT {
    @TempDir
    Path tmp;

    private final long seed = Long.getLong("crash.seed", System.nanoTime());

    @Test
    void killDuringWritesKeepsEverythingFlushedAndTheMetadataConsistent() throws Exception {
        Random rnd = new Random(seed);
        Path dir = tmp.resolve("r");
        WriteWorkload load;
        Thread writer;
        try (ReplicaProcess r = ReplicaProcess.start("crash-writes", dir, "--size", "64Mi")) {
            load = new WriteWorkload(r.connect(), seed);
            writer = Thread.ofPlatform().name("crash writer").start(load);
            int killAfter = 5 + rnd.nextInt(40);
            Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> load.batches.get() >= killAfter || load.stoppedBy != null);
            r.kill9();
            writer.join(60_000);
            assertTrue(load.flushes.get() > 0 || killAfter < 3, "seed " + seed + ": no flush before the kill");
        }
        try (ReplicaProcess again = ReplicaProcess.start("crash-writes-reopen", dir)) {
            ReplicaInfo info = again.grpc().info(Empty.getDefaultInstance());
            assertEquals(64L << 20, info.getSize(), "seed " + seed);
            assertEquals(1, info.getSnapshotsCount(), "seed " + seed + ": only the head: " + info);
            List<String> problems = load.check(again.connect());
            assertTrue(problems.isEmpty(), "seed " + seed + ": " + problems.size() + " bad blocks, first "
                    + problems.subList(0, Math.min(10, problems.size())));
            assertTrue(load.durableBlocks() > 0 || load.flushes.get() == 0, "seed " + seed);
        }
    }

    @Test
    void killDuringSnapshotCreationLeavesAConsistentChainAndIntactData() throws Exception {
        Random rnd = new Random(seed);
        Path dir = tmp.resolve("r");
        WriteWorkload load;
        AtomicInteger created = new AtomicInteger();
        AtomicReference<Throwable> snapshotError = new AtomicReference<>();
        try (ReplicaProcess r = ReplicaProcess.start("crash-snapshots", dir, "--size", "64Mi")) {
            load = new WriteWorkload(r.connect(), seed);
            ReplicaServiceGrpc.ReplicaServiceBlockingStub grpc = r.grpc();
            Thread writer = Thread.ofPlatform().name("crash writer").start(load);
            Thread snapper = Thread.ofPlatform().name("crash snapshots").start(() -> {
                try {
                    for (int i = 1; ; i++) {
                        grpc.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("snap-" + i)
                                .putLabels("i", Integer.toString(i)).build());
                        created.set(i);
                    }
                } catch (Throwable t) {
                    snapshotError.set(t);
                }
            });
            int killAfter = 2 + rnd.nextInt(12);
            Awaitility.await().atMost(Duration.ofSeconds(120))
                    .until(() -> created.get() >= killAfter || snapshotError.get() != null || load.stoppedBy != null);
            r.kill9();
            writer.join(60_000);
            snapper.join(60_000);
        }
        int acked = created.get();
        assertTrue(acked >= 2, "seed " + seed + ": snapshots failed before the kill: " + snapshotError.get());
        try (ReplicaProcess again = ReplicaProcess.start("crash-snapshots-reopen", dir)) {
            ReplicaInfo info = again.grpc().info(Empty.getDefaultInstance());
            List<SnapshotInfo> snaps = new ArrayList<>(info.getSnapshotsList());
            SnapshotInfo head = snaps.removeLast();
            assertTrue(head.getHead(), "seed " + seed + ": the head comes last: " + info);
            int n = snaps.size();
            assertTrue(n == acked || n == acked + 1,
                    "seed " + seed + ": " + acked + " snapshots acknowledged, " + n + " listed: " + info);
            for (int i = 0; i < n; i++) {
                SnapshotInfo s = snaps.get(i);
                assertEquals("snap-" + (i + 1), s.getName(), "seed " + seed);
                assertEquals(i == 0 ? "" : "snap-" + i, s.getParent(), "seed " + seed);
                assertEquals(Integer.toString(i + 1), s.getLabelsOrThrow("i"), "seed " + seed);
                assertTrue(Files.exists(dir.resolve(s.getFile())) && Files.exists(dir.resolve(s.getFile() + ".meta")),
                        "seed " + seed + ": files of " + s.getName());
            }
            assertEquals("snap-" + n, head.getParent(), "seed " + seed);
            assertEquals("snap-" + n, info.getParent(), "seed " + seed);
            assertTrue(Files.exists(dir.resolve(info.getHead())), "seed " + seed);
            List<String> problems = load.check(again.connect());
            assertTrue(problems.isEmpty(), "seed " + seed + ": " + problems.size() + " bad blocks, first "
                    + problems.subList(0, Math.min(10, problems.size())));
        }
    }
}
