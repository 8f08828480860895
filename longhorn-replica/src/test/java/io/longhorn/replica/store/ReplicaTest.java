package io.longhorn.replica.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaTest {
    private static final int BS = Replica.BLOCK_SIZE;
    private static final long MiB = 1 << 20;

    @TempDir
    Path tmp;

    private static ByteBuffer pattern(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (seed * 31 + i / BS);
        }
        return ByteBuffer.wrap(b);
    }

    private static byte[] read(Replica r, long off, int len) {
        ByteBuffer b = ByteBuffer.allocate(len);
        r.read(off, b);
        return b.array();
    }

    @Test
    void createWritesLonghornsLayoutAndReopens() throws IOException {
        Path dir = tmp.resolve("r");
        try (Replica r = Replica.create(dir, 16 * MiB)) {
            r.write(4 * BS, pattern(2 * BS, 7));
        }
        assertTrue(Files.exists(dir.resolve("volume.meta")));
        assertTrue(Files.exists(dir.resolve("volume-head-000.img")));
        assertTrue(Files.exists(dir.resolve("volume-head-000.img.meta")));
        String meta = Files.readString(dir.resolve("volume.meta"));
        assertTrue(meta.contains("\"Size\":16777216") && meta.contains("\"Head\":\"volume-head-000.img\"")
                && meta.contains("\"SectorSize\":4096") && meta.contains("\"Dirty\":false"), meta);
        try (Replica r = Replica.open(dir)) {
            assertTrue(r.dirty(), "an open replica is marked dirty until closed");
            assertArrayEquals(pattern(2 * BS, 7).array(), read(r, 4 * BS, 2 * BS));
            assertArrayEquals(new byte[BS], read(r, 0, BS));
        }
    }

    @Test
    void tenGibibyteReplicaWithOneMebibyteWrittenOccupiesAboutOneMebibyte() throws Exception {
        Path dir = tmp.resolve("sparse");
        try (Replica r = Replica.create(dir, 10L << 30)) {
            r.write(5L << 30, pattern((int) MiB, 3));
            r.flush();
            assertEquals(MiB, r.actualSize());
        }
        Process du = new ProcessBuilder("du", "-s", "-B1", dir.toString()).redirectErrorStream(true).start();
        String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, du.waitFor(), out);
        long used = Long.parseLong(out.split("\\s+")[0]);
        assertTrue(used >= MiB && used < 2 * MiB, "du says " + used + " bytes for 1 MiB written to a 10 GiB replica");
    }

    @Test
    void snapshotsAreInstantLayersAndReadsSeeTheNewestData() {
        try (Replica r = Replica.create(tmp.resolve("s"), 4 * MiB)) {
            r.write(0, pattern(4 * BS, 1));
            SnapshotInfo s1 = r.snapshot("s1", Map.of("app", "db"), true, Instant.parse("2026-01-02T03:04:05Z"));
            assertEquals("volume-snap-s1.img", s1.file());
            assertEquals(Map.of("app", "db"), s1.labels());
            assertEquals(Instant.parse("2026-01-02T03:04:05Z"), s1.created());
            assertEquals(4L * BS, s1.actualSize());
            r.write(BS, pattern(BS, 2));
            assertArrayEquals(pattern(BS, 1).array(), read(r, 0, BS));
            assertArrayEquals(pattern(BS, 2).array(), read(r, BS, BS));
            List<SnapshotInfo> chain = r.snapshots();
            assertEquals(List.of("s1", "volume-head"), chain.stream().map(SnapshotInfo::name).toList());
            assertEquals("volume-head-001.img", r.headFile());
            assertEquals("s1", r.parent());
            assertEquals(List.of("volume-head"), chain.getFirst().children());
        }
    }

    @Test
    void aCachedReadReturnsWhatAnOrdinaryReadDoesAcrossLayersAndRefusesWhatItWouldRefuse() {
        try (Replica r = Replica.create(tmp.resolve("cached"), 4 * MiB)) {
            r.write(0, pattern(4 * BS, 1));
            r.snapshot("s1", Map.of(), true, null);
            r.write(2 * BS, pattern(BS, 2)); // the head holds block 2; blocks 0, 1, 3 are in s1
            // Just written, so in the page cache: blocks from both layers and a hole (block 8).
            for (int[] range : new int[][] {{0, 4}, {1, 2}, {2, 1}, {3, 6}, {8, 1}}) {
                long off = (long) range[0] * BS;
                int len = range[1] * BS;
                ByteBuffer dst = ByteBuffer.allocateDirect(len + BS).position(BS);
                dst.limit(BS + len);
                assertTrue(r.readCached(off, dst), "cached read of blocks " + range[0] + "+" + range[1]);
                assertEquals(BS + len, dst.position(), "a served read advances the position to the limit");
                byte[] got = new byte[len];
                dst.get(BS, got);
                assertArrayEquals(read(r, off, len), got, "blocks " + range[0] + "+" + range[1]);
            }
            ByteBuffer dst = ByteBuffer.allocateDirect(BS);
            assertFalse(r.readCached(4 * MiB, dst.clear()), "beyond the end");
            assertFalse(r.readCached(100, dst.clear()), "unaligned");
            assertFalse(r.readCached(0, ByteBuffer.allocate(BS)), "a heap buffer cannot be read into natively");
            assertEquals(0, dst.position(), "a refused read leaves the position alone");
        }
    }

    @Test
    void aChainOfThreeHundredSnapshotsServesEveryLayer() {
        Path dir = tmp.resolve("deep");
        int n = 300;
        try (Replica r = Replica.create(dir, n * (long) BS)) {
            for (int i = 0; i < n; i++) {
                r.write((long) i * BS, pattern(BS, i));
                r.snapshot("s" + i, Map.of(), false, null);
            }
        }
        try (Replica r = Replica.open(dir)) {
            assertEquals(n + 1, r.snapshots().size());
            for (int i = 0; i < n; i++) {
                assertArrayEquals(pattern(BS, i).array(), read(r, (long) i * BS, BS), "block " + i);
            }
        }
    }

    @Test
    void revertDiscardsTheHeadAndKeepsNewerSnapshotsAsABranch() {
        try (Replica r = Replica.create(tmp.resolve("rv"), MiB)) {
            r.write(0, pattern(BS, 1));
            r.snapshot("a", Map.of(), true, null);
            r.write(0, pattern(BS, 2));
            r.snapshot("b", Map.of(), true, null);
            r.write(0, pattern(BS, 3));
            r.revert("a");
            assertArrayEquals(pattern(BS, 1).array(), read(r, 0, BS));
            r.revert("b");
            assertArrayEquals(pattern(BS, 2).array(), read(r, 0, BS));
            List<String> names = r.snapshots().stream().map(SnapshotInfo::name).toList();
            assertEquals(List.of("a", "b", "volume-head"), names);
        }
    }

    @Test
    void purgeCoalescesRemovedSnapshotsWithoutChangingData() {
        Path dir = tmp.resolve("p");
        try (Replica r = Replica.create(dir, MiB)) {
            r.write(0, pattern(4 * BS, 1));
            r.snapshot("a", Map.of(), true, null);
            r.write(BS, pattern(BS, 2));
            r.snapshot("b", Map.of(), true, null);
            r.write(2 * BS, pattern(BS, 3));
            byte[] before = read(r, 0, (int) MiB);
            r.removeSnapshot("a");
            assertTrue(r.snapshots().getFirst().removed());
            r.purge();
            assertEquals(List.of("b", "volume-head"), r.snapshots().stream().map(SnapshotInfo::name).toList());
            assertArrayEquals(before, read(r, 0, (int) MiB));
            r.removeSnapshot("b");
            r.purge();
            assertEquals(List.of("volume-head"), r.snapshots().stream().map(SnapshotInfo::name).toList());
            assertArrayEquals(before, read(r, 0, (int) MiB));
            assertFalse(Files.exists(dir.resolve("volume-snap-a.img")));
        }
        try (Replica r = Replica.open(dir)) {
            assertEquals(1, r.snapshots().size());
        }
    }

    @Test
    void aRemovedSnapshotWithTwoChildrenStaysUntilABranchIsGone() {
        try (Replica r = Replica.create(tmp.resolve("two"), MiB)) {
            r.write(0, pattern(BS, 1));
            r.snapshot("base", Map.of(), true, null);
            r.write(0, pattern(BS, 2));
            r.snapshot("left", Map.of(), true, null);
            r.revert("base");
            r.write(BS, pattern(BS, 3));
            r.removeSnapshot("base");
            r.purge();
            assertTrue(r.snapshots().stream().anyMatch(s -> s.name().equals("base")), "base has two children");
            r.removeSnapshot("left");
            r.purge();
            assertEquals(List.of("volume-head"), r.snapshots().stream().map(SnapshotInfo::name).toList());
            assertArrayEquals(pattern(BS, 1).array(), read(r, 0, BS));
            assertArrayEquals(pattern(BS, 3).array(), read(r, BS, BS));
        }
    }

    @Test
    void zeroesOverASnapshotBlockAreWrittenAndUnmapOfHeadOnlyDataFreesSpace() {
        try (Replica r = Replica.create(tmp.resolve("z"), MiB)) {
            r.write(0, pattern(8 * BS, 1));
            r.snapshot("s", Map.of(), true, null);
            r.write(8 * BS, pattern(8 * BS, 2));
            r.unmap(0, 16 * BS);
            assertArrayEquals(new byte[16 * BS], read(r, 0, 16 * BS));
            SnapshotInfo head = r.snapshots().getLast();
            assertEquals(8L * BS, head.actualSize(), "only the blocks shadowing the snapshot hold explicit zeros");
            r.revert("s");
            assertArrayEquals(pattern(8 * BS, 1).array(), read(r, 0, 8 * BS));
        }
    }

    @Test
    void expandGrowsTheVolumeAndTheNewRangeReadsAsZeros() {
        Path dir = tmp.resolve("x");
        try (Replica r = Replica.create(dir, MiB)) {
            r.write(0, pattern(BS, 1));
            r.expand(2 * MiB);
            r.write(MiB + BS, pattern(BS, 2));
            assertArrayEquals(new byte[BS], read(r, MiB, BS));
        }
        try (Replica r = Replica.open(dir)) {
            assertEquals(2 * MiB, r.size());
            assertArrayEquals(pattern(BS, 2).array(), read(r, MiB + BS, BS));
            assertThrows(InvalidArgumentException.class, () -> r.expand(MiB));
        }
    }

    @Test
    void badInputIsRefusedWithAClearErrorAndChangesNothing() throws IOException {
        assertTrue(assertThrows(InvalidArgumentException.class, () -> Replica.create(tmp.resolve("n"), -1))
                .getMessage().contains("size must be positive"));
        assertThrows(InvalidArgumentException.class, () -> Replica.create(tmp.resolve("n"), 0));
        assertThrows(InvalidArgumentException.class, () -> Replica.create(tmp.resolve("n"), 1000));
        Path dir = tmp.resolve("b");
        try (Replica r = Replica.create(dir, MiB)) {
            r.write(0, pattern(BS, 1));
            r.snapshot("s1", Map.of(), true, null);
            List<SnapshotInfo> chain = r.snapshots();
            String m1 = assertThrows(InvalidArgumentException.class, () -> r.write(MiB, pattern(BS, 1))).getMessage();
            assertTrue(m1.contains("beyond the size"), m1);
            assertThrows(InvalidArgumentException.class, () -> r.read(MiB - BS, ByteBuffer.allocate(2 * BS)));
            assertThrows(InvalidArgumentException.class, () -> r.read(-BS, ByteBuffer.allocate(BS)));
            assertThrows(InvalidArgumentException.class, () -> r.writeZeroes(0, MiB + BS));
            String m2 = assertThrows(InvalidArgumentException.class, () -> r.write(100, pattern(BS, 1))).getMessage();
            assertTrue(m2.contains("not aligned"), m2);
            assertTrue(assertThrows(AlreadyExistsException.class, () -> r.snapshot("s1", Map.of(), true, null))
                    .getMessage().contains("s1"));
            assertThrows(InvalidArgumentException.class, () -> r.snapshot("bad/name", Map.of(), true, null));
            assertThrows(InvalidArgumentException.class, () -> r.removeSnapshot("volume-head"));
            assertTrue(assertThrows(NotFoundException.class, () -> r.revert("nope")).getMessage().contains("nope"));
            assertThrows(NotFoundException.class, () -> r.removeSnapshot("nope"));
            assertEquals(chain.stream().map(SnapshotInfo::file).toList(), r.snapshots().stream().map(SnapshotInfo::file).toList());
            assertArrayEquals(pattern(BS, 1).array(), read(r, 0, BS));
        }
        assertThrows(AlreadyExistsException.class, () -> Replica.create(dir, MiB));
        assertThrows(NotFoundException.class, () -> Replica.open(tmp.resolve("missing")));
        Files.writeString(dir.resolve("volume.meta"), "{\"Size\": 12, \"He");
        String m3 = assertThrows(CorruptMetadataException.class, () -> Replica.open(dir)).getMessage();
        assertTrue(m3.contains("volume.meta") && m3.contains("corrupt"), m3);
        assertTrue(Files.exists(dir.resolve("volume-snap-s1.img")), "a failed open deletes nothing");
    }

    @Test
    void ioSpanningALayerIndexChunkBoundaryReadsBackAcrossSnapshotsExpandAndReopen() {
        long chunk = 256 * MiB; // one LayerIndex chunk of blocks
        Path dir = tmp.resolve("boundary");
        int span = 16 * BS;
        long across = chunk - span / 2;
        try (Replica r = Replica.create(dir, 2 * chunk - 4 * BS)) {
            r.write(across, pattern(span, 1));
            assertArrayEquals(pattern(span, 1).array(), read(r, across, span));
            r.snapshot("a", Map.of(), true, null);
            r.writeZeroes(chunk - 2 * BS, 4 * BS);
            byte[] want = pattern(span, 1).array();
            java.util.Arrays.fill(want, span / 2 - 2 * BS, span / 2 + 2 * BS, (byte) 0);
            assertArrayEquals(want, read(r, across, span));
            r.unmap(across, span);
            assertArrayEquals(new byte[span], read(r, across, span));
            // Expand across the second boundary; the new chunk starts empty and takes writes.
            r.write(2 * chunk - 8 * BS, pattern(4 * BS, 2));
            r.expand(2 * chunk + 64 * BS);
            long across2 = 2 * chunk - 8 * BS;
            r.write(across2 + 4 * BS, pattern(8 * BS, 3));
            byte[] want2 = new byte[12 * BS];
            System.arraycopy(pattern(4 * BS, 2).array(), 0, want2, 0, 4 * BS);
            System.arraycopy(pattern(8 * BS, 3).array(), 0, want2, 4 * BS, 8 * BS);
            assertArrayEquals(want2, read(r, across2, 12 * BS));
            assertArrayEquals(new byte[52 * BS], read(r, across2 + 12 * BS, 52 * BS));
            r.removeSnapshot("a");
            r.purge();
            assertArrayEquals(new byte[span], read(r, across, span));
            assertArrayEquals(want2, read(r, across2, 12 * BS));
        }
        try (Replica r = Replica.open(dir)) {
            assertEquals(2 * chunk + 64 * BS, r.size());
            assertArrayEquals(new byte[span], read(r, across, span));
            assertArrayEquals(pattern(8 * BS, 3).array(), read(r, 2 * chunk - 4 * BS, 8 * BS));
            r.revert(r.snapshot("b", Map.of(), true, null).name());
            assertArrayEquals(pattern(8 * BS, 3).array(), read(r, 2 * chunk - 4 * BS, 8 * BS));
        }
    }

    @Test
    void aWellFormedButWrongVolumeMetaIsRefusedByNameAndLeavesEveryFileAlone() throws IOException {
        Path dir = tmp.resolve("wrong");
        try (Replica r = Replica.create(dir, MiB)) {
            r.write(0, pattern(BS, 1));
            r.snapshot("s1", Map.of(), true, null);
            r.write(BS, pattern(BS, 2));
        }
        String good = Files.readString(dir.resolve("volume.meta"));
        for (var c : List.of(
                List.of("\"Head\":\"volume-head-001.img\"", "\"Head\":\"../etc/passwd\"", "Head"),
                List.of("\"Head\":\"volume-head-001.img\"", "\"Head\":\"volume-head-007.img\"", "volume-head-007.img"),
                List.of("\"Head\":\"volume-head-001.img\"", "\"Head\":\"volume-head-000.img\"", "volume-head-000.img"),
                List.of("\"SectorSize\":4096", "\"SectorSize\":512", "SectorSize"),
                List.of("\"Size\":1048576", "\"Size\":-1048576", "Size"),
                List.of("\"Size\":1048576", "\"Size\":4096", "Size"))) {
            assertTrue(good.contains(c.get(0)), good);
            String bad = good.replace(c.get(0), c.get(1));
            Files.writeString(dir.resolve("volume.meta"), bad);
            Map<String, String> before = listing(dir);
            String m = assertThrows(CorruptMetadataException.class, () -> Replica.open(dir), bad).getMessage();
            assertTrue(m.contains(c.get(2)), c.get(1) + ": " + m);
            assertEquals(before, listing(dir), "files after refusing " + c.get(1));
        }
        Files.writeString(dir.resolve("volume.meta"), good);
        try (Replica r = Replica.open(dir)) {
            assertArrayEquals(pattern(BS, 1).array(), read(r, 0, BS));
            assertArrayEquals(pattern(BS, 2).array(), read(r, BS, BS));
        }
    }

    /** Every file in a directory with a digest of its content. */
    private static Map<String, String> listing(Path dir) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                out.put(p.getFileName().toString(), Files.size(p) + ":" + java.util.Arrays.hashCode(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    @Test
    void openRecoversFromASnapshotInterruptedBeforeAndAfterItsCommit() throws IOException {
        Path dir = tmp.resolve("crash");
        try (Replica r = Replica.create(dir, MiB)) {
            r.write(0, pattern(BS, 1));
        }
        // Before the commit point: the head has a second name and a new head exists, but
        // volume.meta still names the old head.
        Files.createLink(dir.resolve("volume-snap-x.img"), dir.resolve("volume-head-000.img"));
        Files.writeString(dir.resolve("volume-snap-x.img.meta"), "{\"Name\":\"volume-snap-x.img\",\"Parent\":\"\"}");
        Files.writeString(dir.resolve("volume-head-001.img"), "");
        Files.writeString(dir.resolve("volume-head-001.img.meta"), "{\"Name\":\"volume-head-001.img\",\"Parent\":\"volume-snap-x.img\"}");
        Files.writeString(dir.resolve("volume.meta.tmp"), "{half");
        try (Replica r = Replica.open(dir)) {
            assertEquals(List.of("volume-head"), r.snapshots().stream().map(SnapshotInfo::name).toList());
            assertArrayEquals(pattern(BS, 1).array(), read(r, 0, BS));
            r.snapshot("y", Map.of(), true, null);
        }
        assertFalse(Files.exists(dir.resolve("volume-snap-x.img")));
        assertFalse(Files.exists(dir.resolve("volume.meta.tmp")));
        // After the commit point: the old head's name is still there.
        Files.createLink(dir.resolve("volume-head-000.img"), dir.resolve("volume-snap-y.img"));
        Files.copy(dir.resolve("volume-snap-y.img.meta"), dir.resolve("volume-head-000.img.meta"));
        try (Replica r = Replica.open(dir)) {
            assertEquals(List.of("y", "volume-head"), r.snapshots().stream().map(SnapshotInfo::name).toList());
            assertArrayEquals(pattern(BS, 1).array(), read(r, 0, BS));
        }
        assertFalse(Files.exists(dir.resolve("volume-head-000.img")));
    }

    @Test
    void rebuildCopiesSnapshotFilesAndTheTargetEndsIdentical() {
        try (Replica src = Replica.create(tmp.resolve("src"), MiB);
             Replica dst = Replica.create(tmp.resolve("dst"), MiB)) {
            src.write(0, pattern(4 * BS, 1));
            src.snapshot("a", Map.of("k", "v"), true, null);
            src.write(2 * BS, pattern(4 * BS, 2));
            dst.write(10 * BS, pattern(BS, 9)); // stale data the rebuild must drop
            // The engine snapshots every replica, the new one included, before the sync.
            Instant t = Instant.parse("2026-03-04T05:06:07Z");
            src.snapshot("sys", Map.of(), false, t);
            dst.snapshot("sys", Map.of(), false, t);
            src.write(20 * BS, pattern(BS, 5));
            dst.write(20 * BS, pattern(BS, 5));
            List<SnapshotInfo> snaps = src.snapshots().stream().filter(s -> !s.head()).toList();
            dst.rebuildPrepare(snaps);
            assertTrue(dst.rebuilding());
            for (SnapshotInfo s : snaps) {
                List<Extent> extents = src.extents(s.file());
                for (Extent e : extents) {
                    ByteBuffer buf = ByteBuffer.allocate((int) e.length());
                    src.readFile(s.file(), e.offset(), buf);
                    dst.writeFile(s.file(), e.offset(), buf.flip());
                }
                dst.retainExtents(s.file(), extents);
            }
            dst.rebuildFinish();
            assertFalse(dst.rebuilding());
            assertArrayEquals(read(src, 0, (int) MiB), read(dst, 0, (int) MiB));
            assertEquals(src.snapshots().stream().map(SnapshotInfo::name).toList(),
                    dst.snapshots().stream().map(SnapshotInfo::name).toList());
            assertEquals(Map.of("k", "v"), dst.snapshots().getFirst().labels());
            assertThrows(InvalidArgumentException.class, () -> dst.writeFile("volume-snap-a.img", 0, pattern(BS, 1)));
        }
    }

    @Test
    void zeroingOnAReplicaMarkedRebuildingBeforeItJoinedSurvivesTheSnapshotCopyBeneathIt() {
        try (Replica src = Replica.create(tmp.resolve("src"), MiB);
             Replica dst = Replica.create(tmp.resolve("dst"), MiB)) {
            src.write(0, pattern(16 * BS, 1));
            // The engine marks the new replica first (RebuildPrepare with what it has), then it joins.
            dst.rebuildPrepare(dst.snapshots().stream().filter(x -> !x.head()).toList());
            Instant t = Instant.parse("2026-03-04T05:06:07Z");
            src.snapshot("sys", Map.of(), false, t);
            dst.snapshot("sys", Map.of(), false, t);
            // Client requests reach both before the copy: the target holds nothing there yet.
            for (Replica r : List.of(src, dst)) {
                r.writeZeroes(0, 2 * BS);
                r.unmap(4 * BS, 2 * BS);
                r.unmap(12 * BS, 8 * BS);
            }
            List<SnapshotInfo> snaps = src.snapshots().stream().filter(x -> !x.head()).toList();
            dst.rebuildPrepare(snaps);
            for (SnapshotInfo x : snaps) {
                List<Extent> extents = src.extents(x.file());
                for (Extent e : extents) {
                    ByteBuffer buf = ByteBuffer.allocate((int) e.length());
                    src.readFile(x.file(), e.offset(), buf);
                    dst.writeFile(x.file(), e.offset(), buf.flip());
                }
                dst.retainExtents(x.file(), extents);
            }
            dst.rebuildFinish();
            assertArrayEquals(new byte[2 * BS], read(dst, 0, 2 * BS));
            assertArrayEquals(new byte[2 * BS], read(dst, 4 * BS, 2 * BS));
            assertArrayEquals(read(src, 0, (int) MiB), read(dst, 0, (int) MiB));
        }
    }

    @Test
    void generationAndErrorRecordedConcurrentlyAreBothKept() throws Exception {
        Path dir = tmp.resolve("r");
        int rounds = 200;
        List<String> lost = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Replica r = Replica.create(dir, MiB)) {
            Thread errors = Thread.ofPlatform().start(() -> {
                for (int i = 1; i <= rounds; i++) {
                    r.setError(i == rounds ? "" : "e" + i);
                }
            });
            for (int g = 1; g <= rounds; g++) {
                r.setGeneration(g);
                // Nobody else changes the generation: it may never go back.
                if (r.generation() < g) {
                    lost.add("generation " + g + " became " + r.generation());
                }
            }
            errors.join();
            assertEquals(List.of(), lost, "setError undid setGeneration");
            assertEquals(rounds, r.generation());
        }
        try (Replica r = Replica.open(dir)) {
            assertEquals(rounds, r.generation());
            assertEquals("", r.error());
        }
    }

    @Test
    void clientWritesGoOnWhileRebuildFinishSyncsTheReceivedFiles() throws Exception {
        try (Replica dst = Replica.create(tmp.resolve("dst"), MiB)) {
            dst.rebuildPrepare(List.of());
            dst.snapshot("sys", Map.of(), false, Instant.parse("2026-03-04T05:06:07Z"));
            dst.rebuildPrepare(dst.snapshots().stream().filter(x -> !x.head()).toList());
            dst.writeFile("volume-snap-sys.img", 0, pattern(4 * BS, 3));
            java.util.concurrent.atomic.AtomicBoolean wroteWhileSyncing = new java.util.concurrent.atomic.AtomicBoolean();
            dst.steps(step -> {
                if (step.equals("rebuildFinish.synced")) {
                    // A client write from another thread, while rebuildFinish has not reopened the chain.
                    Thread w = Thread.ofPlatform().start(() -> dst.write(8 * BS, pattern(BS, 4)));
                    try {
                        w.join(java.time.Duration.ofMinutes(1));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    wroteWhileSyncing.set(!w.isAlive());
                }
            });
            dst.rebuildFinish();
            dst.steps(null);
            assertTrue(wroteWhileSyncing.get(), "a client write waited for rebuildFinish's fsync");
            assertArrayEquals(pattern(4 * BS, 3).array(), read(dst, 0, 4 * BS));
            assertArrayEquals(pattern(BS, 4).array(), read(dst, 8 * BS, BS));
            assertFalse(dst.rebuilding());
        }
    }

    @Test
    void subtractLeavesOnlyTheUncoveredRanges() {
        List<Extent> a = List.of(new Extent(0, 100), new Extent(200, 100));
        List<Extent> b = List.of(new Extent(10, 10), new Extent(50, 200));
        assertEquals(List.of(new Extent(0, 10), new Extent(20, 30), new Extent(250, 50)), Extent.subtract(a, b));
        assertEquals(a, Extent.subtract(a, List.of()));
        assertEquals(List.of(), Extent.subtract(a, List.of(new Extent(0, 1000))));
    }
}
