package io.longhorn.backupstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.types.Address;
import io.longhorn.backupstore.backup.BackupCreator;
import io.longhorn.backupstore.backup.BackupRequest;
import io.longhorn.backupstore.backup.BackupResult;
import io.longhorn.backupstore.driver.file.FileDriver;
import io.longhorn.backupstore.format.BackupUrl;
import io.longhorn.backupstore.format.BlockMapping;
import io.longhorn.backupstore.format.Compression;
import io.longhorn.backupstore.format.Layout;
import io.longhorn.backupstore.source.replica.ReplicaSnapshotSource;
import io.longhorn.backupstore.store.VolumeStore;
import io.longhorn.backupstore.testing.Launchers;
import io.longhorn.backupstore.testing.Launchers.Result;
import io.longhorn.backupstore.testing.ReplicaProcess;
import io.longhorn.backupstore.testing.S3ProxyServer;
import io.longhorn.backupstore.testing.TestVolume;
import io.longhorn.backupstore.work.Cancellation;
import io.longhorn.backupstore.work.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with real processes: replicas ({@code bin/longhorn-replica}) written through the data
 * protocol and snapshotted over gRPC, backed up with {@code bin/longhorn-backup create --replica}
 * to a directory and to S3 (S3Proxy), and restored into the two replicas of a new volume each time.
 */
class ReplicaBackupIT {
    static final long MiB = 1024 * 1024;
    static final long SIZE = 48 * MiB;

    @TempDir
    Path tmp;

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void snapshotsOfALiveReplicaBackUpIncrementallyAndRestoreIntoNewReplicasToDirectoryAndS3() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("target"));
        try (S3ProxyServer s3 = S3ProxyServer.start("backups");
             ReplicaProcess source = ReplicaProcess.start(tmp.resolve("replicas/vol1-00c0ffee"), SIZE)) {
            byte[] model = new byte[(int) SIZE];
            write(source, model, 0, random((int) (5 * MiB), 1));
            write(source, model, 30 * MiB, random((int) MiB, 2));
            source.snapshot("s1");
            String s1 = TestVolume.sha256(model, model.length);
            write(source, model, 2 * MiB, random((int) (256 * 1024), 3));
            write(source, model, 44 * MiB, random(8192, 4));
            source.snapshot("s2");
            String s2 = TestVolume.sha256(model, model.length);
            write(source, model, 0, random(4096, 5)); // in the head: in no backup

            for (String url : new String[] {"file://" + target, "s3://backups@us-east-1/cluster"}) {
                Map<String, String> env = s3.credentials();
                Result b1 = Launchers.backup(env, "create", "--dest", url, "--replica", source.control(), "s1");
                assertEquals(0, b1.exitCode(), b1.toString());
                assertTrue(b1.stderr().contains(": full, 4 blocks"), b1.stderr());
                Result b2 = Launchers.backup(env, "create", "--dest", url, "--replica", source.control(), "s2");
                assertEquals(0, b2.exitCode(), b2.toString());
                assertTrue(b2.stderr().contains(": incremental, 5 blocks, 2 new"), b2.stderr());
                assertTrue(b2.stdout().trim().endsWith("&volume=vol1"), b2.stdout());

                restoreAndCheck(env, b1.stdout().trim(), s1, url.startsWith("s3") ? "s3-1" : "file-1");
                restoreAndCheck(env, b2.stdout().trim(), s2, url.startsWith("s3") ? "s3-2" : "file-2");
            }
        }
    }

    @Test
    void aRestoreIntoReplicasThatMeetsACorruptBlockMarksThemFailedDurablyAndOnlyAnOverwriteClearsTheMark()
            throws Exception {
        Path target = Files.createDirectories(tmp.resolve("target"));
        String url = "file://" + target;
        String backupUrl;
        String expected;
        try (ReplicaProcess source = ReplicaProcess.start(tmp.resolve("replicas/vol2-00c0ffee"), SIZE)) {
            byte[] model = new byte[(int) SIZE];
            write(source, model, 0, random((int) (6 * MiB), 6));
            write(source, model, 20 * MiB, random((int) MiB, 7));
            source.snapshot("s1");
            expected = TestVolume.sha256(model, model.length);
            Result b = Launchers.backup(Map.of(), "create", "--dest", url, "--replica", source.control(), "s1");
            assertEquals(0, b.exitCode(), b.toString());
            backupUrl = b.stdout().trim();
        }
        FileDriver driver = new FileDriver(target, url);
        String backupName = BackupUrl.parse(backupUrl, true).backup();
        BlockMapping victim = new VolumeStore(driver, "vol2").backup(backupName).blocks().get(2);
        String victimPath = Layout.blockPath("vol2", victim.blockChecksum());
        byte[] good = driver.read(victimPath);
        byte[] impostor = new byte[Layout.BLOCK_SIZE];
        java.util.Arrays.fill(impostor, (byte) 7);
        driver.write(victimPath, Compression.LZ4.compress(impostor, impostor.length));

        Path dirA = tmp.resolve("restored/vol2-a");
        Path dirB = tmp.resolve("restored/vol2-b");
        try (ReplicaProcess a = ReplicaProcess.start(dirA, SIZE);
             ReplicaProcess b = ReplicaProcess.start(dirB, SIZE)) {
            Result failed = Launchers.backup(Map.of(), "restore", backupUrl, "--to", a.control(), "--to", b.control());
            assertEquals(6, failed.exitCode(), failed.toString());
            assertTrue(failed.stderr().contains("block " + victim.blockChecksum() + " (offset " + victim.offset()
                    + ") of backup " + backupName + " of volume vol2 fails checksum verification"), failed.stderr());
            for (ReplicaProcess r : List.of(a, b)) {
                String error = r.info().getError();
                assertTrue(error.startsWith("restore failed, the content is incomplete: ") && error.contains(
                        victim.blockChecksum()), error);
            }
            for (Path d : List.of(dirA, dirB)) {
                String meta = Files.readString(d.resolve("volume.meta"));
                assertTrue(meta.contains("\"Error\":\"restore failed, the content is incomplete: "), meta);
            }
            // A plain retry is refused before anything is written, even with the block repaired.
            driver.write(victimPath, good);
            Result refused = Launchers.backup(Map.of(), "restore", backupUrl, "--to", a.control(), "--to",
                    b.control());
            assertEquals(2, refused.exitCode(), refused.toString());
            assertTrue(refused.stderr().contains("is marked failed"), refused.stderr());
        }
        // The mark survives a restart of the replica process.
        try (ReplicaProcess a = ReplicaProcess.start(dirA, SIZE);
             ReplicaProcess b = ReplicaProcess.start(dirB, SIZE)) {
            assertTrue(a.info().getError().contains(victim.blockChecksum()), a.info().getError());
            Result overwrite = Launchers.backup(Map.of(), "restore", backupUrl, "--to", a.control(), "--to",
                    b.control(), "--overwrite");
            assertEquals(0, overwrite.exitCode(), overwrite.toString());
            for (ReplicaProcess r : List.of(a, b)) {
                assertEquals("", r.info().getError());
                assertEquals(expected, r.sha256(SIZE));
            }
        }
    }

    @Test
    void aSnapshotBacksUpWhileWritesGoOnAndTheRestoreHoldsTheSnapshotNotTheLaterWrites() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("live-target"));
        String url = "file://" + target;
        try (ReplicaProcess source = ReplicaProcess.start(tmp.resolve("replicas/vol3-00c0ffee"), SIZE)) {
            byte[] model = new byte[(int) SIZE];
            write(source, model, 0, random((int) (16 * MiB), 8));
            write(source, model, 40 * MiB, random((int) (2 * MiB), 9));
            source.snapshot("s1");
            String s1 = TestVolume.sha256(model, model.length);
            // After every block the backup has done, the volume's user writes 1 MiB over the
            // snapshot's data (into the head), ahead of and behind the block being read.
            AtomicInteger writes = new AtomicInteger();
            ProgressListener userWrites = (done, total) -> {
                long offset = (done * 5 % 9) * 2 * MiB;
                try {
                    source.write(offset, random((int) MiB, 100 + done));
                    source.write(40 * MiB, random(4096, 200 + done));
                } catch (Exception e) {
                    throw new IllegalStateException("write during the backup failed", e);
                }
                writes.incrementAndGet();
            };
            BackupResult backup;
            try (FileDriver driver = new FileDriver(target, url);
                 ReplicaSnapshotSource replica = new ReplicaSnapshotSource(Address.parse(source.control()))) {
                assertTrue(replica.snapshotReader("s1").isPresent(),
                        "a running replica's snapshot is read over its data protocol");
                backup = BackupCreator.create(driver, replica, new BackupRequest("vol3", "s1", null, Map.of(), null, 1),
                        userWrites, new Cancellation());
            }
            assertEquals(9, backup.blocksRead());
            assertEquals(9, writes.get(), "the user wrote while each block was backed up");
            assertNotEquals(s1, source.sha256(SIZE), "the volume moved on during the backup");
            restoreAndCheck(Map.of(), backup.backupUrl(), s1, "live");
        }
    }

    @Test
    void aReplicaWithAVolumeSecretIsBackedUpAndRestoredOnlyByWhoProvesIt() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("target"));
        Path secret = tmp.resolve("vol1.secret");
        io.longhorn.api.auth.VolumeSecret.createIfMissing(secret);
        String url = "file://" + target;
        try (ReplicaProcess source = ReplicaProcess.start(tmp.resolve("replicas/vol1-00c0ffee"), SIZE, secret)) {
            byte[] model = new byte[(int) SIZE];
            write(source, model, MiB, random((int) (3 * MiB), 7));
            source.snapshot("s1");
            String s1 = TestVolume.sha256(model, model.length);

            Result refused = Launchers.backup(Map.of(), "create", "--dest", url, "--replica", source.control(), "s1");
            assertTrue(refused.exitCode() != 0, refused.toString());
            assertTrue(refused.stderr().contains("UNAUTHENTICATED") || refused.stderr().contains("secret"),
                    refused.stderr());
            Result b = Launchers.backup(Map.of(), "create", "--dest", url, "--replica", source.control(),
                    "--secret-file", secret.toString(), "s1");
            assertEquals(0, b.exitCode(), b.toString());
            String backupUrl = b.stdout().trim();
            // The backup's read-only data connection proves the secret too, and reads the snapshot.
            try (ReplicaSnapshotSource src = new ReplicaSnapshotSource(Address.parse(source.control()),
                    io.longhorn.api.auth.VolumeSecret.load(secret))) {
                byte[] buf = new byte[(int) (2 * MiB)];
                src.snapshotReader("s1").orElseThrow().read(MiB, buf, buf.length);
                assertArrayEquals(java.util.Arrays.copyOfRange(model, (int) MiB, (int) (3 * MiB)), buf);
                // The layers read one by one through ReadExtents (the way for older replicas) agree.
                var chain = src.info().chain("s1");
                Map<String, List<io.longhorn.backupstore.source.Extent>> extents = new java.util.HashMap<>();
                for (var layer : chain) {
                    extents.put(layer.file(), src.extents(layer.file()));
                }
                byte[] viaGrpc = new byte[buf.length];
                new io.longhorn.backupstore.backup.ChainReader(src, chain, extents).read(MiB, viaGrpc, viaGrpc.length);
                assertArrayEquals(buf, viaGrpc);
            }

            try (ReplicaProcess fresh = ReplicaProcess.start(tmp.resolve("restored/secret-a"), SIZE, secret)) {
                Result noSecret = Launchers.backup(Map.of(), "restore", backupUrl, "--to", fresh.control());
                assertTrue(noSecret.exitCode() != 0, noSecret.toString());
                assertEquals(0, fresh.info().getActualSize(), "the refused restore wrote nothing");
                Result r = Launchers.backup(Map.of(), "restore", backupUrl, "--to", fresh.control(),
                        "--secret-file", secret.toString());
                assertEquals(0, r.exitCode(), r.toString());
                assertEquals(s1, fresh.sha256(SIZE));
            }
        }
    }

    private void write(ReplicaProcess replica, byte[] model, long offset, byte[] data) throws Exception {
        replica.write(offset, data);
        System.arraycopy(data, 0, model, (int) offset, data.length);
    }

    private void restoreAndCheck(Map<String, String> env, String backupUrl, String expectedSha, String name)
            throws Exception {
        try (ReplicaProcess a = ReplicaProcess.start(tmp.resolve("restored/" + name + "-a"), SIZE);
             ReplicaProcess b = ReplicaProcess.start(tmp.resolve("restored/" + name + "-b"), SIZE)) {
            Result r = Launchers.backup(env, "restore", backupUrl, "--to", a.control(), "--to", b.control(),
                    "--workers", "3");
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(expectedSha, a.sha256(SIZE), "replica a restored from " + backupUrl);
            assertEquals(expectedSha, b.sha256(SIZE), "replica b restored from " + backupUrl);
        }
    }
}
