package io.longhorn.replica.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every multi-file change stopped between each two of its steps, leaving the files exactly as a
 * killed process would (the page cache survives a process crash), then reopened: the chain must be
 * consistent and read as before the change or as after it, and the change can be done again.
 */
class ReplicaCrashRecoveryTest {
    private static final int BS = Replica.BLOCK_SIZE;
    private static final long MiB = 1 << 20;
    private static final long SIZE = 8 * MiB;

    @TempDir
    Path tmp;

    private static boolean crashAt(Replica r, String at, Runnable change) {
        return Crashes.crashAt(r, at, change);
    }

    private static ByteBuffer random(Random rnd, int len) {
        byte[] b = new byte[len];
        rnd.nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    private static byte[] all(Replica r) {
        ByteBuffer b = ByteBuffer.allocate((int) r.size());
        r.read(0, b);
        return b.array();
    }

    private static List<String> names(Replica r) {
        return r.snapshots().stream().map(SnapshotInfo::name).toList();
    }

    /** volume.meta's Parent and the head .meta's Parent, which must agree after an open. */
    private static void assertParentsAgree(Path dir) throws IOException {
        VolumeMeta vm = MetaFiles.read(dir.resolve(VolumeMeta.FILE), VolumeMeta.class);
        LayerMeta head = MetaFiles.read(dir.resolve(vm.head() + LayerMeta.SUFFIX), LayerMeta.class);
        assertEquals(head.parent(), vm.parent(), "volume.meta's Parent and the head's");
        if (!head.parent().isEmpty()) {
            assertTrue(Files.exists(dir.resolve(head.parent())), "the head's parent " + head.parent() + " exists");
        }
    }

    @ParameterizedTest(name = "purge into the {1} interrupted at {0}")
    @CsvSource({
            "purge.copying, head", "purge.copied, head", "purge.reparented, head",
            "purge.volumeMetaWritten, head", "layer.imageDeleted, head",
            "purge.copying, snapshot", "purge.copied, snapshot", "purge.reparented, snapshot",
            "layer.imageDeleted, snapshot"})
    void anInterruptedPurgeLeavesAConsistentChainThatReadsTheSame(String at, String child) throws IOException {
        Path dir = tmp.resolve("p");
        Random rnd = new Random(at.hashCode());
        byte[] before;
        List<String> expectedAfter;
        try (Replica r = Replica.create(dir, SIZE)) {
            r.write(0, random(rnd, (int) (3 * MiB)));
            r.snapshot("base", Map.of(), true, null);
            // Two extents, each over one copy chunk, so that a crash can stop a copy half way.
            r.write(0, random(rnd, (int) (2 * MiB)));
            r.write(4 * MiB, random(rnd, (int) (2 * MiB)));
            r.snapshot("a", Map.of(), true, null);
            r.write(MiB, random(rnd, 16 * BS));
            if (child.equals("snapshot")) {
                r.snapshot("b", Map.of(), true, null);
                r.write(5 * MiB, random(rnd, 16 * BS));
                expectedAfter = List.of("base", "b", "volume-head");
            } else {
                expectedAfter = List.of("base", "volume-head");
            }
            r.removeSnapshot("a");
            before = all(r);
            assertTrue(crashAt(r, at, r::purge), "the purge reached " + at);
        }
        try (Replica r = Replica.open(dir)) {
            assertArrayEquals(before, all(r), "data after reopening");
            List<String> chain = names(r);
            assertTrue(chain.equals(expectedAfter) || chain.contains("a") && chain.containsAll(expectedAfter),
                    "chain " + chain);
            assertParentsAgree(dir);
            r.purge();
            assertEquals(expectedAfter, names(r));
            assertArrayEquals(before, all(r), "data after purging again");
        }
        assertFalse(Files.exists(dir.resolve("volume-snap-a.img")));
        assertFalse(Files.exists(dir.resolve("volume-snap-a.img.meta")));
        try (Replica r = Replica.open(dir)) {
            assertEquals(expectedAfter, names(r));
            assertArrayEquals(before, all(r));
            assertParentsAgree(dir);
        }
    }

    @Test
    void volumeMetaNamingAPurgedParentIsRepairedFromTheHeadAtOpen() throws IOException {
        Path dir = tmp.resolve("stale-parent");
        byte[] before;
        try (Replica r = Replica.create(dir, SIZE)) {
            r.write(0, random(new Random(1), (int) MiB));
            r.snapshot("base", Map.of(), true, null);
            r.write(MiB, random(new Random(2), (int) MiB));
            r.snapshot("a", Map.of(), true, null);
            r.removeSnapshot("a");
            before = all(r);
            assertTrue(crashAt(r, "purge.reparented", r::purge));
        }
        String stale = Files.readString(dir.resolve(VolumeMeta.FILE));
        assertTrue(stale.contains("\"Parent\":\"volume-snap-a.img\""), stale);
        try (Replica r = Replica.open(dir)) {
            assertEquals("base", r.parent());
            assertEquals(List.of("base", "volume-head"), names(r));
            assertArrayEquals(before, all(r));
        }
        assertTrue(Files.readString(dir.resolve(VolumeMeta.FILE)).contains("\"Parent\":\"volume-snap-base.img\""));
        assertFalse(Files.exists(dir.resolve("volume-snap-a.img.meta")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"revert.newHeadWritten", "revert.committed"})
    void anInterruptedRevertReadsAsBeforeOrAfterIt(String at) {
        Path dir = tmp.resolve("rv");
        Random rnd = new Random(7);
        byte[] atSnapshot;
        byte[] current;
        try (Replica r = Replica.create(dir, SIZE)) {
            r.write(0, random(rnd, (int) MiB));
            r.snapshot("s", Map.of(), true, null);
            atSnapshot = all(r);
            r.write(BS, random(rnd, 8 * BS));
            current = all(r);
            assertTrue(crashAt(r, at, () -> r.revert("s")));
        }
        try (Replica r = Replica.open(dir)) {
            assertArrayEquals(at.equals("revert.committed") ? atSnapshot : current, all(r));
            assertEquals(List.of("s", "volume-head"), names(r));
            r.revert("s");
            assertArrayEquals(atSnapshot, all(r));
        }
        assertEquals(1, headFiles(dir), "one head file (and its .meta) is left");
    }

    @ParameterizedTest
    @ValueSource(strings = {"snapshot.linked", "snapshot.snapshotMetaWritten", "snapshot.newHeadWritten", "snapshot.committed"})
    void anInterruptedSnapshotIsEitherThereOrNotAndDataIsKept(String at) {
        Path dir = tmp.resolve("sn");
        byte[] before;
        try (Replica r = Replica.create(dir, SIZE)) {
            r.write(0, random(new Random(3), (int) MiB));
            before = all(r);
            assertTrue(crashAt(r, at, () -> r.snapshot("s", Map.of(), true, null)));
        }
        try (Replica r = Replica.open(dir)) {
            assertArrayEquals(before, all(r));
            List<String> expected = at.equals("snapshot.committed") ? List.of("s", "volume-head") : List.of("volume-head");
            assertEquals(expected, names(r));
            if (!at.equals("snapshot.committed")) {
                r.snapshot("s", Map.of(), true, null);
            }
            r.write(0, random(new Random(4), BS));
            r.revert("s");
            assertArrayEquals(before, all(r));
        }
        assertEquals(1, headFiles(dir));
    }

    @Test
    void anExpandInterruptedBeforeItsCommitKeepsTheOldSizeAndCanBeRepeated() throws IOException {
        Path dir = tmp.resolve("x");
        byte[] before;
        try (Replica r = Replica.create(dir, SIZE)) {
            r.write(SIZE - MiB, random(new Random(5), (int) MiB));
            before = all(r);
            assertTrue(crashAt(r, "expand.headGrown", () -> r.expand(2 * SIZE)));
        }
        assertEquals(2 * SIZE, Files.size(dir.resolve("volume-head-000.img")), "the head grew before the crash");
        try (Replica r = Replica.open(dir)) {
            assertEquals(SIZE, r.size());
            assertEquals(SIZE, Files.size(dir.resolve("volume-head-000.img")), "open trims the head back to Size");
            assertArrayEquals(before, all(r));
            r.expand(2 * SIZE);
            assertArrayEquals(new byte[(int) SIZE], readRange(r, SIZE, (int) SIZE));
        }
    }

    @Test
    void anExpandWhoseHeadGrowthWasLostReadsTheNewRangeAsZeros() throws IOException {
        Path dir = tmp.resolve("x2");
        try (Replica r = Replica.create(dir, SIZE)) {
            r.write(0, random(new Random(6), BS));
            r.snapshot("s", Map.of(), true, null);
        }
        // volume.meta committed the new size, the head's new length never reached the disk.
        Path vm = dir.resolve(VolumeMeta.FILE);
        Files.writeString(vm, Files.readString(vm).replace("\"Size\":" + SIZE, "\"Size\":" + 2 * SIZE));
        try (Replica r = Replica.open(dir)) {
            assertEquals(2 * SIZE, r.size());
            assertEquals(2 * SIZE, Files.size(dir.resolve(r.headFile())));
            assertArrayEquals(new byte[(int) SIZE], readRange(r, SIZE, (int) SIZE));
            ByteBuffer last = random(new Random(8), BS);
            r.write(2 * SIZE - BS, last.duplicate());
            assertArrayEquals(last.array(), readRange(r, 2 * SIZE - BS, BS));
        }
    }

    @Test
    void anInterruptedDeleteIsFinishedAndTheDirectoryHoldsNoReplica() throws IOException {
        Path dir = tmp.resolve("d");
        try (Replica r = Replica.create(dir, SIZE)) {
            r.write(0, random(new Random(9), BS));
            r.snapshot("s", Map.of(), true, null);
            assertTrue(crashAt(r, "delete.committed", r::delete));
        }
        assertTrue(Files.exists(dir.resolve(DirectoryScan.TOMBSTONE)));
        assertTrue(Files.exists(dir.resolve("volume-snap-s.img")));
        String m = assertThrows(NotFoundException.class, () -> Replica.open(dir)).getMessage();
        assertTrue(m.contains("deleted"), m);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "open finished the delete");
        }
        // A tombstone with layer files still there does not stop a new replica in the directory.
        try (Replica r = Replica.create(dir, SIZE)) {
            r.write(0, random(new Random(10), BS));
            assertTrue(crashAt(r, "delete.committed", r::delete));
        }
        try (Replica r = Replica.openOrCreate(dir, MiB)) {
            assertEquals(MiB, r.size());
            assertEquals(List.of("volume-head"), names(r));
            assertArrayEquals(new byte[BS], readRange(r, 0, BS));
        }
    }

    @Test
    void deleteRemovesEveryFileAndTheEmptyDirectory() {
        Path dir = tmp.resolve("gone");
        Replica r = Replica.create(dir, SIZE);
        r.write(0, random(new Random(11), BS));
        r.snapshot("s", Map.of(), true, null);
        r.delete();
        assertFalse(Files.exists(dir));
        assertThrows(ReplicaException.class, () -> r.read(0, ByteBuffer.allocate(BS)));
        r.close(); // closing a deleted replica writes nothing back
        assertFalse(Files.exists(dir));
    }

    @Test
    void createRefusesADirectoryWithLayerFilesButNoVolumeMetaAndTouchesNothing() throws IOException {
        Path dir = tmp.resolve("orphans");
        try (Replica r = Replica.create(dir, SIZE)) {
            r.write(0, random(new Random(12), BS));
            r.snapshot("s", Map.of(), true, null);
        }
        Files.delete(dir.resolve(VolumeMeta.FILE));
        List<String> files;
        try (var l = Files.list(dir)) {
            files = l.map(p -> p.getFileName().toString()).sorted().toList();
        }
        String m = assertThrows(CorruptMetadataException.class, () -> Replica.openOrCreate(dir, SIZE)).getMessage();
        assertTrue(m.contains("volume-snap-s.img") && m.contains("refusing"), m);
        try (var l = Files.list(dir)) {
            assertEquals(files, l.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void createOverTheLeftoversOfAnInterruptedCreateSucceeds() throws IOException {
        Path dir = tmp.resolve("half");
        Files.createDirectories(dir);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("volume-head-000.img").toFile(), "rw")) {
            f.setLength(SIZE);
            f.write(new byte[] {1, 2, 3});
        }
        Files.writeString(dir.resolve("volume-head-000.img.meta.tmp"), "{half");
        try (Replica r = Replica.create(dir, MiB)) {
            assertEquals(MiB, r.size());
            assertArrayEquals(new byte[BS], readRange(r, 0, BS));
        }
    }

    private static byte[] readRange(Replica r, long off, int len) {
        ByteBuffer b = ByteBuffer.allocate(len);
        r.read(off, b);
        return b.array();
    }

    private static long headFiles(Path dir) {
        try (var l = Files.list(dir)) {
            return l.filter(p -> LayerFiles.isHead(p.getFileName().toString())).count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
