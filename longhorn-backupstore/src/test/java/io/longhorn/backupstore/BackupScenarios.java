package io.longhorn.backupstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.backupstore.backup.BackupCreator;
import io.longhorn.backupstore.backup.BackupRequest;
import io.longhorn.backupstore.backup.BackupResult;
import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.driver.ForwardingDriver;
import io.longhorn.backupstore.error.CancelledException;
import io.longhorn.backupstore.error.CorruptDataException;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.LockedException;
import io.longhorn.backupstore.error.NotFoundException;
import io.longhorn.backupstore.format.BackupConfig;
import io.longhorn.backupstore.format.BlockMapping;
import io.longhorn.backupstore.format.Compression;
import io.longhorn.backupstore.format.Layout;
import io.longhorn.backupstore.lock.BackupLock;
import io.longhorn.backupstore.lock.LockType;
import io.longhorn.backupstore.restore.FileRestoreTarget;
import io.longhorn.backupstore.restore.RestoreRequest;
import io.longhorn.backupstore.restore.RestoreResult;
import io.longhorn.backupstore.restore.Restorer;
import io.longhorn.backupstore.source.dir.DirectorySnapshotSource;
import io.longhorn.backupstore.source.dir.SparseFiles;
import io.longhorn.backupstore.store.BackupStore;
import io.longhorn.backupstore.store.VolumeStore;
import io.longhorn.backupstore.testing.TestVolume;
import io.longhorn.backupstore.work.Cancellation;
import io.longhorn.backupstore.work.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup and restore behaviour every target must show; run against a directory and against a
 * real S3 server by the subclasses.
 */
abstract class BackupScenarios {
    static final long MiB = 1024 * 1024;
    static final long SIZE = 64 * MiB;

    @TempDir
    Path tmp;

    /** A driver for a fresh, empty target; closed by the test. */
    abstract BackupStoreDriver openTarget();

    BackupResult backup(BackupStoreDriver target, TestVolume volume, String volumeName, String snapshot,
                        int workers) {
        return backup(target, volume, new BackupRequest(volumeName, snapshot, null, Map.of(), null, workers));
    }

    BackupResult backup(BackupStoreDriver target, TestVolume volume, BackupRequest request) {
        try (var source = new DirectorySnapshotSource(volume.dir())) {
            return BackupCreator.create(target, source, request, ProgressListener.NONE, new Cancellation());
        }
    }

    RestoreResult restore(BackupStoreDriver target, String volume, String backup, String last, Path file,
                          long size) {
        try (FileRestoreTarget t = FileRestoreTarget.open(file, size)) {
            return Restorer.restore(target, new RestoreRequest(volume, backup, last, false, 3), t,
                    ProgressListener.NONE, new Cancellation());
        }
    }

    /** Snapshot s1: data in a few blocks, one block all zeros, most of the volume never written. */
    TestVolume firstSnapshot(String dirName) throws IOException {
        return firstData(dirName).snapshot("s1");
    }

    /** The data of snapshot s1 in the head of a new volume, not snapshotted yet. */
    TestVolume firstData(String dirName) throws IOException {
        return TestVolume.create(tmp.resolve(dirName), SIZE)
                .writeRandom(0, (int) (3 * MiB), 1)
                .writeRandom(10 * MiB, (int) MiB, 2)
                .fill(40 * MiB, (int) (2 * MiB), 0x5a)
                .fill(50 * MiB, (int) (2 * MiB), 0); // data extent full of zeros: not stored
    }

    /** Snapshot s2 on top: one block changed in part, one block zeroed, a new block. */
    static void secondSnapshot(TestVolume v) throws IOException {
        v.writeRandom(MiB, (int) (512 * 1024), 3)
                .fill(10 * MiB, (int) (2 * MiB), 0)
                .writeRandom(60 * MiB + 4096, 8192, 4)
                .snapshot("s2");
    }

    @Test
    void fullAndIncrementalBackupsRestoreToWhatTheVolumeHeldAtEachSnapshot() throws IOException {
        try (BackupStoreDriver target = openTarget()) {
            TestVolume v = firstSnapshot("vol1");
            BackupResult b1 = backup(target, v, "vol1", "s1", 2);
            assertFalse(b1.incremental());
            // blocks 0, 1 (3 MiB), 5 (10 MiB), 20 (40 MiB) have data; 25 (50 MiB) is zeros
            assertEquals(5, b1.blocksRead());
            assertEquals(4, b1.blockCount());
            assertEquals(4, b1.blocksUploaded());

            secondSnapshot(v);
            BackupResult b2 = backup(target, v, "vol1", "s2", 3);
            assertTrue(b2.incremental());
            assertEquals(3, b2.blocksRead(), "only blocks 0, 5 and 30 changed since s1");
            assertEquals(2, b2.blocksUploaded(), "block 5 became zeros: nothing to store");
            assertEquals(4, b2.blockCount());

            Path r1 = tmp.resolve("restore-1.img");
            Path r2 = tmp.resolve("restore-2.img");
            restore(target, "vol1", b1.backupName(), null, r1, SIZE);
            restore(target, "vol1", b2.backupName(), null, r2, SIZE);
            assertEquals(v.contentSha("s1"), TestVolume.sha256(r1, SIZE));
            assertEquals(v.contentSha("s2"), TestVolume.sha256(r2, SIZE));
            // zero blocks and never-written blocks stay holes in the restored volume
            long allocated = SparseFiles.dataExtents(r2).stream().mapToLong(e -> e.length()).sum();
            assertTrue(allocated <= 4 * 2 * MiB, "restore wrote only the 4 stored blocks, not " + allocated);

            BackupConfig cfg = new BackupStore(target).inspect("vol1", b2.backupName());
            assertEquals("s2", cfg.snapshotName());
            assertTrue(cfg.incremental());
            assertEquals(SIZE, cfg.volumeSize());
            assertEquals(4 * 2 * MiB, cfg.size());
        }
    }

    @Test
    void whenTheLastBackedUpSnapshotLeftTheChainTheNextBackupIsFullAndRestoresTheVolume() throws IOException {
        try (BackupStoreDriver target = openTarget()) {
            TestVolume v = firstSnapshot("vol1");
            BackupResult b1 = backup(target, v, "vol1", "s1", 2);
            secondSnapshot(v);
            v.writeRandom(20 * MiB, (int) MiB, 9).snapshot("s3");
            v.removeSnapshot("s1"); // merged into s2: s1, the last backup's snapshot, is gone
            assertTrue(Files.notExists(v.dir().resolve("volume-snap-s1.img")));

            BackupResult b3 = backup(target, v, "vol1", "s3", 2);
            assertFalse(b3.incremental());
            // every block with data in the chain: 0, 1, 5 (zeros now), 10, 20, 25 (zeros), 30
            assertEquals(7, b3.blocksRead());
            assertEquals(3, b3.blocksUploaded(), "blocks 0, 10 and 30 are new; 1 and 20 are stored already");
            assertEquals(5, b3.blockCount());
            assertFalse(new BackupStore(target).inspect("vol1", b3.backupName()).incremental());

            Path r3 = tmp.resolve("after-removal.img");
            restore(target, "vol1", b3.backupName(), null, r3, SIZE);
            assertEquals(v.contentSha("s3"), TestVolume.sha256(r3, SIZE));
            Path r1 = tmp.resolve("first.img");
            restore(target, "vol1", b1.backupName(), null, r1, SIZE);
            assertEquals(v.contentSha("s1"), TestVolume.sha256(r1, SIZE));

            // and the backup after it is incremental again, from s3
            v.writeRandom(30 * MiB, 4096, 10).snapshot("s4");
            BackupResult b4 = backup(target, v, "vol1", "s4", 2);
            assertTrue(b4.incremental());
            assertEquals(1, b4.blocksRead());
        }
    }

    @Test
    void aStandbyVolumeRestoresIncrementallyOnlyTheBlocksThatChanged() throws IOException {
        try (BackupStoreDriver target = openTarget()) {
            TestVolume v = firstSnapshot("vol1");
            String b1 = backup(target, v, "vol1", "s1", 2).backupName();
            secondSnapshot(v);
            String b2 = backup(target, v, "vol1", "s2", 2).backupName();

            Path standby = tmp.resolve("standby.img");
            restore(target, "vol1", b1, null, standby, SIZE);
            RestoreResult inc = restore(target, "vol1", b2, b1, standby, SIZE);
            assertTrue(inc.incremental());
            assertEquals(2, inc.blocksWritten(), "blocks 0 and 30 differ");
            assertEquals(1, inc.blocksZeroed(), "block 5 is zeros now");
            assertEquals(v.contentSha("s2"), TestVolume.sha256(standby, SIZE));
        }
    }

    @Test
    void backingUpIdenticalDataAgainUploadsNoNewBlockAndOtherVolumesDoNotShareBlocks() throws IOException {
        try (BackupStoreDriver target = openTarget()) {
            TestVolume v = firstSnapshot("vol1");
            BackupResult first = backup(target, v, "vol1", "s1", 2);
            assertFalse(first.incremental());
            assertEquals(4, first.blocksUploaded());

            // The same snapshot again: incremental from the last backup, with nothing to read.
            BackupResult again = backup(target, v, "vol1", "s1", 2);
            assertTrue(again.incremental());
            assertEquals(0, again.blocksRead());
            assertEquals(0, again.blocksUploaded());

            // The same data in a snapshot the last backup does not know (another name, another
            // time): a full backup that reads every block and, by content, finds each one stored.
            TestVolume copy = firstData("copy").snapshot("c1");
            BackupResult full = backup(target, copy, "vol1", "c1", 2);
            assertFalse(full.incremental(), "c1 is not in the chain of the last backup's snapshot");
            assertEquals(5, full.blocksRead());
            assertEquals(0, full.blocksUploaded());
            assertEquals(0, full.bytesUploaded());
            assertEquals(4, full.blockCount());
            BackupConfig cfg = new BackupStore(target).inspect("vol1", full.backupName());
            assertFalse(cfg.incremental());
            assertEquals(0, cfg.newlyUploadedDataSize());
            assertEquals(checksums(new VolumeStore(target, "vol1").backup(first.backupName())), checksums(cfg));
            assertEquals(4, new VolumeStore(target, "vol1").storedBlocks().size());
            Path r = tmp.resolve("dedup.img");
            restore(target, "vol1", full.backupName(), null, r, SIZE);
            assertEquals(copy.contentSha("c1"), TestVolume.sha256(r, SIZE));

            // The same data as another volume is stored again under that volume's own path.
            BackupResult other = backup(target, copy, "vol2", "c1", 2);
            assertFalse(other.incremental());
            assertEquals(4, other.blocksUploaded());
            assertEquals(new VolumeStore(target, "vol1").storedBlocks(), new VolumeStore(target, "vol2").storedBlocks());
        }
    }

    @Test
    void deletingABackupRemovesOnlyTheBlocksNoOtherBackupUses() throws IOException {
        try (BackupStoreDriver target = openTarget()) {
            TestVolume v = firstSnapshot("vol1");
            String b1 = backup(target, v, "vol1", "s1", 2).backupName();
            secondSnapshot(v);
            String b2 = backup(target, v, "vol1", "s2", 2).backupName();
            VolumeStore vs = new VolumeStore(target, "vol1");
            Set<String> onlyB2 = checksums(vs.backup(b2));
            assertEquals(6, vs.storedBlocks().size());

            var result = new BackupStore(target).deleteBackup("vol1", b1);
            assertEquals(2, result.blocksDeleted());
            assertEquals(onlyB2, vs.storedBlocks());
            assertEquals(List.of(b2), vs.backupNames());
            Path r = tmp.resolve("after-delete.img");
            restore(target, "vol1", b2, null, r, SIZE);
            assertEquals(v.contentSha("s2"), TestVolume.sha256(r, SIZE));

            new BackupStore(target).deleteBackup("vol1", b2);
            assertTrue(vs.storedBlocks().isEmpty());
            assertEquals("", vs.volumeConfig().orElseThrow().lastBackupName());

            new BackupStore(target).deleteVolume("vol1");
            assertTrue(target.listFiles(Layout.volumeDir("vol1")).isEmpty());
            assertEquals(List.of(), new BackupStore(target).volumeNames());
        }
    }

    static Set<String> checksums(BackupConfig cfg) {
        return cfg.blocksOrEmpty().stream().map(BlockMapping::blockChecksum).collect(Collectors.toSet());
    }

    @Test
    void aCorruptedBlockFailsTheRestoreNamingBlockAndBackupAndMarksTheTargetFailed() throws IOException {
        try (BackupStoreDriver target = openTarget()) {
            TestVolume v = firstSnapshot("vol1");
            String b1 = backup(target, v, "vol1", "s1", 2).backupName();
            BlockMapping victim = new VolumeStore(target, "vol1").backup(b1).blocks().get(1);
            // a well-formed block of the right size, with other content: only the checksum can tell
            byte[] impostor = new byte[Layout.BLOCK_SIZE];
            java.util.Arrays.fill(impostor, (byte) 1);
            target.write(Layout.blockPath("vol1", victim.blockChecksum()),
                    Compression.LZ4.compress(impostor, impostor.length));

            Path r = tmp.resolve("corrupt.img");
            CorruptDataException e = assertThrows(CorruptDataException.class,
                    () -> restore(target, "vol1", b1, null, r, SIZE));
            assertTrue(e.getMessage().contains(victim.blockChecksum()), e.getMessage());
            assertTrue(e.getMessage().contains("of backup " + b1 + " of volume vol1 fails checksum verification"),
                    e.getMessage());
            assertTrue(e.targetIncomplete(), "the failure says the target holds partial content");
            assertTrue(Files.exists(FileRestoreTarget.failureMarker(r)), "target marked failed");
            // The marked target is refused by a plain restore, before anything is written.
            long modified = Files.getLastModifiedTime(r).toMillis();
            InvalidInputException refused = assertThrows(InvalidInputException.class,
                    () -> restore(target, "vol1", b1, null, r, SIZE));
            assertTrue(refused.getMessage().contains("is marked failed"), refused.getMessage());
            assertFalse(refused.targetIncomplete());
            assertEquals(modified, Files.getLastModifiedTime(r).toMillis());
        }
    }

    @Test
    void aBackupDeletedJustBeforeTheRestoreTakesTheLockIsNotFoundAndTheTargetIsNotTouched() throws IOException {
        try (BackupStoreDriver store = openTarget()) {
            TestVolume v = firstSnapshot("vol1");
            String b1 = backup(store, v, "vol1", "s1", 2).backupName();
            // The deletion runs right after the restore first reads the backup's cfg, before it
            // takes its lock: the restore must read the cfg again under the lock.
            BackupStoreDriver racing = new DeletingOnRead(store, Layout.backupCfg("vol1", b1),
                    () -> new BackupStore(store).deleteBackup("vol1", b1));
            Path r = tmp.resolve("raced.img");
            NotFoundException e = assertThrows(NotFoundException.class,
                    () -> restore(racing, "vol1", b1, null, r, SIZE));
            assertTrue(e.getMessage().contains("backup " + b1 + " of volume vol1 not found"), e.getMessage());
            assertFalse(e.targetIncomplete());
            assertTrue(SparseFiles.dataExtents(r).isEmpty(), "nothing written to the target");
            assertTrue(Files.notExists(FileRestoreTarget.failureMarker(r)), "the target is not marked failed");
            assertTrue(new VolumeStore(store, "vol1").storedBlocks().isEmpty(), "the deletion did happen");
        }
    }

    /** A driver that runs an action (once) right after a given file was first read. */
    private static final class DeletingOnRead extends ForwardingDriver {
        private final BackupStoreDriver d;
        private final String path;
        private Runnable action;

        DeletingOnRead(BackupStoreDriver d, String path, Runnable action) {
            super(d);
            this.d = d;
            this.path = path;
            this.action = action;
        }

        @Override
        public String url() {
            return d.url();
        }

        @Override
        public synchronized byte[] read(String p) {
            byte[] data = super.read(p);
            if (p.equals(path) && action != null) {
                Runnable a = action;
                action = null;
                a.run();
            }
            return data;
        }

        @Override
        public void close() {
            // the wrapped driver is closed by its owner
        }
    }

    @Test
    void aMissingBlockFailsTheRestoreNamingBlockAndBackupAndMarksTheTargetFailed() throws IOException {
        try (BackupStoreDriver target = openTarget()) {
            TestVolume v = firstSnapshot("vol1");
            String b1 = backup(target, v, "vol1", "s1", 2).backupName();
            BlockMapping victim = new VolumeStore(target, "vol1").backup(b1).blocks().getLast();
            target.delete(Layout.blockPath("vol1", victim.blockChecksum()));

            Path r = tmp.resolve("missing.img");
            CorruptDataException e = assertThrows(CorruptDataException.class,
                    () -> restore(target, "vol1", b1, null, r, SIZE));
            assertTrue(e.getMessage().contains(victim.blockChecksum() + " (offset " + victim.offset() + ") of backup "
                    + b1 + " of volume vol1 is missing"), e.getMessage());
            assertTrue(Files.exists(FileRestoreTarget.failureMarker(r)));
        }
    }

    @Test
    void unknownBackupOrSnapshotGivesAClearErrorAndWritesNothing() throws IOException {
        try (BackupStoreDriver target = openTarget()) {
            TestVolume v = firstSnapshot("vol1");
            NotFoundException noSnap = assertThrows(NotFoundException.class,
                    () -> backup(target, v, "vol1", "nope", 2));
            assertTrue(noSnap.getMessage().contains("snapshot nope not found"), noSnap.getMessage());
            assertEquals(List.of(), target.listFiles("backupstore"));

            backup(target, v, "vol1", "s1", 2);
            List<String> before = target.listFiles("backupstore");
            Path r = tmp.resolve("never.img");
            NotFoundException noBackup = assertThrows(NotFoundException.class,
                    () -> restore(target, "vol1", "backup-0000000000000000", null, r, SIZE));
            assertTrue(noBackup.getMessage().contains("backup backup-0000000000000000 of volume vol1 not found"),
                    noBackup.getMessage());
            assertTrue(SparseFiles.dataExtents(r).isEmpty(), "nothing written to the target");
            assertFalse(Files.exists(FileRestoreTarget.failureMarker(r)));
            assertThrows(NotFoundException.class,
                    () -> new BackupStore(target).deleteBackup("vol1", "backup-0000000000000000"));
            assertThrows(NotFoundException.class, () -> new BackupStore(target).deleteVolume("vol9"));
            assertEquals(before, target.listFiles("backupstore"));
        }
    }

    @Test
    void aCancelledBackupLeavesNoBackupAndTheNextOneWorks() throws IOException {
        try (BackupStoreDriver target = openTarget()) {
            TestVolume v = firstSnapshot("vol1");
            Cancellation cancel = new Cancellation();
            ProgressListener cancelAfterFirst = (done, total) -> cancel.cancel("test");
            try (var source = new DirectorySnapshotSource(v.dir())) {
                assertThrows(CancelledException.class, () -> BackupCreator.create(target, source,
                        new BackupRequest("vol1", "s1", null, Map.of(), null, 1), cancelAfterFirst, cancel));
            }
            VolumeStore vs = new VolumeStore(target, "vol1");
            assertEquals(List.of(), vs.backupNames());
            assertEquals(List.of(), target.list(Layout.locksDir("vol1")), "lock released");
            assertEquals(List.of(), new BackupStore(target).volume("vol1").orElseThrow().backups());

            BackupResult next = backup(target, v, "vol1", "s1", 2);
            Path r = tmp.resolve("after-cancel.img");
            restore(target, "vol1", next.backupName(), null, r, SIZE);
            assertEquals(v.contentSha("s1"), TestVolume.sha256(r, SIZE));
        }
    }

    @Test
    void labelsAndNamesAreStoredWithTheBackupAndListed() throws IOException {
        try (BackupStoreDriver target = openTarget()) {
            TestVolume v = firstSnapshot("vol1");
            backup(target, v, new BackupRequest("vol1", "s1", "backup-first", Map.of("app", "db", "tier", "gold"),
                    Compression.GZIP, 2));
            var listed = new BackupStore(target).list(Optional.empty());
            assertEquals(1, listed.size());
            assertEquals("vol1", listed.getFirst().config().name());
            assertEquals("gzip", listed.getFirst().config().compressionMethod());
            assertEquals("backup-first", listed.getFirst().config().lastBackupName());
            BackupConfig b = listed.getFirst().backups().getFirst();
            assertEquals("backup-first", b.name());
            assertEquals(Map.of("app", "db", "tier", "gold"), b.labels());
            assertEquals("gzip", b.compressionMethod());
            Path r = tmp.resolve("gzip.img");
            restore(target, "vol1", "backup-first", null, r, SIZE);
            assertEquals(v.contentSha("s1"), TestVolume.sha256(r, SIZE));
        }
    }

    @Test
    void aDeletionIsRefusedWhileABackupHoldsTheVolumeAndChangesNothing() throws IOException {
        try (BackupStoreDriver target = openTarget()) {
            TestVolume v = firstSnapshot("vol1");
            String b1 = backup(target, v, "vol1", "s1", 2).backupName();
            List<String> before = target.listFiles(Layout.blocksDir("vol1"));
            try (BackupLock running = BackupLock.acquire(target, "vol1", LockType.BACKUP)) {
                LockedException e = assertThrows(LockedException.class,
                        () -> new BackupStore(target).deleteBackup("vol1", b1));
                assertTrue(e.getMessage().contains("locked by a backup"), e.getMessage());
                assertEquals(new HashSet<>(List.of(b1)), new HashSet<>(new VolumeStore(target, "vol1").backupNames()));
                assertEquals(before, target.listFiles(Layout.blocksDir("vol1")));
            }
            new BackupStore(target).deleteBackup("vol1", b1);
        }
    }
}
