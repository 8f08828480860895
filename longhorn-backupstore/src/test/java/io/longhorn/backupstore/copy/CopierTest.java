package io.longhorn.backupstore.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.backupstore.error.BackupStoreException;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.NotFoundException;
import io.longhorn.backupstore.error.TargetIOException;
import io.longhorn.backupstore.restore.FileRestoreTarget;
import io.longhorn.backupstore.restore.RestoreTarget;
import io.longhorn.backupstore.source.dir.DirectorySnapshotSource;
import io.longhorn.backupstore.source.dir.SparseFiles;
import io.longhorn.backupstore.testing.TestVolume;
import io.longhorn.backupstore.work.Cancellation;
import io.longhorn.backupstore.work.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copying a snapshot of a replica directory into an image file, with no backup target. */
class CopierTest {
    private static final long MiB = 1024 * 1024;
    private static final long SIZE = 32 * MiB;

    @TempDir
    Path tmp;

    /** Snapshots a and b with data across block boundaries and explicit zeros, then newer data in the head. */
    private TestVolume volume() throws IOException {
        return TestVolume.create(tmp.resolve("src"), SIZE)
                .writeRandom(0, (int) (3 * MiB), 1)
                .fill(20 * MiB, (int) (2 * MiB), 0x5a)
                .snapshot("a")
                .fill(4096, 4096, 0)
                .writeRandom(2 * MiB - 4096, 8192, 2)
                .snapshot("b")
                .writeRandom(0, (int) MiB, 3); // after b: not copied
    }

    private CopyResult copy(TestVolume v, String snapshot, RestoreTarget target, boolean overwrite) {
        try (var source = new DirectorySnapshotSource(v.dir())) {
            return Copier.copy(source, new CopyRequest("dst", snapshot, overwrite, 3), target, ProgressListener.NONE,
                    new Cancellation());
        }
    }

    @Test
    void aCopyHoldsWhatTheVolumeHeldAtTheSnapshotAndLeavesHolesWhereItHadNoData() throws IOException {
        TestVolume v = volume();
        Path image = tmp.resolve("dst.img");
        CopyResult r;
        try (FileRestoreTarget t = FileRestoreTarget.open(image, SIZE)) {
            r = copy(v, "b", t, false);
        }
        assertEquals(v.contentSha("b"), TestVolume.sha256(image, SIZE));
        assertEquals(3, r.blocksWritten(), "blocks 0, 1 and 10 hold data; the rest are never read");
        assertEquals(0, r.blocksZeroed());
        long allocated = SparseFiles.dataExtents(image).stream().mapToLong(e -> e.length()).sum();
        assertTrue(allocated <= 6 * MiB, "holes stay holes: " + allocated + " bytes allocated");
    }

    @Test
    void aTargetWithDataIsRefusedUntouchedWithoutOverwriteAndRewrittenWithIt() throws IOException {
        TestVolume v = volume();
        Path image = tmp.resolve("dst.img");
        byte[] junk = new byte[(int) SIZE];
        new java.util.Random(9).nextBytes(junk);
        Files.write(image, junk);
        String before = TestVolume.sha256(image, SIZE);
        try (FileRestoreTarget t = FileRestoreTarget.open(image, SIZE)) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> copy(v, "a", t, false));
            assertTrue(e.getMessage().contains("is not empty"), e.getMessage());
            assertFalse(e.targetIncomplete());
        }
        assertEquals(before, TestVolume.sha256(image, SIZE), "nothing written");
        try (FileRestoreTarget t = FileRestoreTarget.open(image, SIZE)) {
            t.markFailed("an earlier copy failed");
        }
        try (FileRestoreTarget t = FileRestoreTarget.open(image, SIZE)) {
            CopyResult r = copy(v, "a", t, true);
            assertEquals(SIZE / (2 * MiB), r.blocksWritten() + r.blocksZeroed(), "every block rewritten");
        }
        assertEquals(v.contentSha("a"), TestVolume.sha256(image, SIZE));
        assertFalse(Files.exists(FileRestoreTarget.failureMarker(image)), "the failure mark is cleared");
    }

    @Test
    void aWriteThatFailsMidwayMarksTheTargetFailedAndSaysItIsIncomplete() throws IOException {
        TestVolume v = volume();
        Path image = tmp.resolve("dst.img");
        try (FileRestoreTarget file = FileRestoreTarget.open(image, SIZE)) {
            AtomicInteger writes = new AtomicInteger();
            RestoreTarget failing = new ForwardingTarget(file) {
                @Override
                public CompletableFuture<Void> write(long offset, byte[] data, int length) {
                    if (writes.incrementAndGet() > 1) {
                        return CompletableFuture.failedFuture(new TargetIOException("replica 10.0.0.3:9502 reset"));
                    }
                    return super.write(offset, data, length);
                }
            };
            BackupStoreException e = assertThrows(BackupStoreException.class, () -> copy(v, "b", failing, false));
            assertTrue(e.targetIncomplete(), e.getMessage());
            assertTrue(e.getMessage().contains("replica 10.0.0.3:9502 reset"), e.getMessage());
        }
        assertTrue(Files.exists(FileRestoreTarget.failureMarker(image)), "target marked failed");
    }

    @Test
    void anUnknownSnapshotOrASmallerTargetIsRefusedAndWritesNothing() throws IOException {
        TestVolume v = volume();
        Path image = tmp.resolve("dst.img");
        try (FileRestoreTarget t = FileRestoreTarget.open(image, SIZE)) {
            NotFoundException e = assertThrows(NotFoundException.class, () -> copy(v, "nosuch", t, false));
            assertTrue(e.getMessage().contains("snapshot nosuch not found"), e.getMessage());
        }
        Path small = tmp.resolve("small.img");
        try (FileRestoreTarget t = FileRestoreTarget.open(small, SIZE / 2)) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> copy(v, "a", t, false));
            assertTrue(e.getMessage().contains("less than the " + SIZE), e.getMessage());
        }
        assertFalse(Files.exists(FileRestoreTarget.failureMarker(image)));
        assertTrue(SparseFiles.dataExtents(image).isEmpty(), "nothing written");
    }

    /** A target that passes everything to another. */
    private static class ForwardingTarget implements RestoreTarget {
        private final RestoreTarget t;

        ForwardingTarget(RestoreTarget t) {
            this.t = t;
        }

        @Override
        public String describe() {
            return t.describe();
        }

        @Override
        public long size() {
            return t.size();
        }

        @Override
        public boolean isEmpty() {
            return t.isEmpty();
        }

        @Override
        public CompletableFuture<Void> write(long offset, byte[] data, int length) {
            return t.write(offset, data, length);
        }

        @Override
        public CompletableFuture<Void> writeZeros(long offset, int length) {
            return t.writeZeros(offset, length);
        }

        @Override
        public CompletableFuture<Void> flush() {
            return t.flush();
        }

        @Override
        public void markFailed(String reason) {
            t.markFailed(reason);
        }

        @Override
        public String failure() {
            return t.failure();
        }

        @Override
        public void clearFailure() {
            t.clearFailure();
        }

        @Override
        public void close() {
            // the wrapped target is closed by its owner
        }
    }
}
