package io.longhorn.replica.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Replica#readSnapshot}: a snapshot reads as it was taken, whatever the chain did since. */
class ReplicaSnapshotReadTest {
    private static final int BS = Replica.BLOCK_SIZE;
    private static final int SIZE = 64 * BS;

    @TempDir
    Path dir;

    private static void fill(Replica r, byte[] model, int firstBlock, int blocks, int value) {
        byte[] b = new byte[blocks * BS];
        Arrays.fill(b, (byte) value);
        r.write((long) firstBlock * BS, ByteBuffer.wrap(b));
        System.arraycopy(b, 0, model, firstBlock * BS, b.length);
    }

    private static byte[] snapshot(Replica r, String name) {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        r.readSnapshot(name, 0, b);
        return b.array();
    }

    @Test
    void aSnapshotReadsAsTakenAfterNewerSnapshotsUnmapsAndZeroesInTheHead() {
        try (Replica r = Replica.create(dir.resolve("r"), SIZE)) {
            byte[] s1 = new byte[SIZE];
            fill(r, s1, 0, 32, 0x11);
            r.snapshot("s1", Map.of(), true, Instant.now());
            byte[] s2 = s1.clone();
            fill(r, s2, 16, 32, 0x22);
            r.snapshot("s2", Map.of(), true, Instant.now());
            byte[] head = s2.clone();
            fill(r, head, 0, 8, 0x33);
            r.unmap(8L * BS, 8L * BS);
            r.writeZeroes(40L * BS, 4L * BS);
            assertArrayEquals(s1, snapshot(r, "s1"));
            assertArrayEquals(s2, snapshot(r, "s2"));
            // A range that starts in a block the head took over and ends in a hole.
            ByteBuffer part = ByteBuffer.allocate(40 * BS);
            r.readSnapshot("s2", 24L * BS, part);
            assertArrayEquals(Arrays.copyOfRange(s2, 24 * BS, 64 * BS), part.array());
        }
    }

    @Test
    void aReadLongerThanOnePieceReadsEveryPiece() {
        int size = 3 * Replica.SNAPSHOT_READ_PIECE + 5 * BS;
        try (Replica r = Replica.create(dir.resolve("big"), size)) {
            byte[] s1 = new byte[size];
            new java.util.Random(3).nextBytes(s1);
            r.write(0, ByteBuffer.wrap(s1));
            r.snapshot("s1", Map.of(), true, Instant.now());
            r.write(0, ByteBuffer.wrap(new byte[size]));
            ByteBuffer all = ByteBuffer.allocate(size);
            r.readSnapshot("s1", 0, all);
            assertArrayEquals(s1, all.array());
            org.junit.jupiter.api.Assertions.assertEquals(size, all.position());
        }
    }

    @Test
    void snapshotsOffTheChainRemovedByPurgeOrTheHeadAreRefusedNamingThem() {
        try (Replica r = Replica.create(dir.resolve("r"), SIZE)) {
            byte[] s1 = new byte[SIZE];
            fill(r, s1, 0, 4, 0x11);
            r.snapshot("s1", Map.of(), true, Instant.now());
            byte[] s2 = s1.clone();
            fill(r, s2, 2, 4, 0x22);
            r.snapshot("s2", Map.of(), true, Instant.now());
            r.snapshot("s3", Map.of(), true, Instant.now());
            NotFoundException unknown = assertThrows(NotFoundException.class, () -> snapshot(r, "nope"));
            assertTrue(unknown.getMessage().contains("snapshot nope"), unknown.getMessage());
            InvalidArgumentException head = assertThrows(InvalidArgumentException.class,
                    () -> snapshot(r, "volume-head"));
            assertTrue(head.getMessage().startsWith("snapshot: \"volume-head\""), head.getMessage());

            // s2 is removed and purged into s3: s2 is gone, s3 still reads as it was taken.
            r.removeSnapshot("s2");
            r.purge();
            assertThrows(NotFoundException.class, () -> snapshot(r, "s2"));
            assertArrayEquals(s2, snapshot(r, "s3"));

            // Reverted to s1: s3 is off the active chain.
            r.revert("s1");
            NotFoundException off = assertThrows(NotFoundException.class, () -> snapshot(r, "s3"));
            assertTrue(off.getMessage().contains("not on the chain"), off.getMessage());
            assertArrayEquals(s1, snapshot(r, "s1"));
        }
    }
}
