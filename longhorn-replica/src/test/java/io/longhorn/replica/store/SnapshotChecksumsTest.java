package io.longhorn.replica.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotChecksumsTest {
    private static final int BS = Replica.BLOCK_SIZE;
    private static final long MiB = 1 << 20;
    private static final long FAST = 1L << 40;

    @TempDir
    Path tmp;

    private static ByteBuffer pattern(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (seed * 31 + i / 7);
        }
        return ByteBuffer.wrap(b);
    }

    private static Map<String, SnapshotChecksums.Result> byFile(List<SnapshotChecksums.Result> results) {
        return results.stream().collect(java.util.stream.Collectors.toMap(SnapshotChecksums.Result::file, r -> r));
    }

    @Test
    void eachSnapshotGetsAChecksumFileWithLonghornsFieldsAndTheHeadNone() throws IOException {
        Path dir = tmp.resolve("r");
        try (Replica r = Replica.create(dir, 16 * MiB)) {
            r.write(8 * BS, pattern(4 * BS, 1));
            r.snapshot("s1", Map.of(), true, Instant.now());
            r.write(0, pattern(BS, 2));
            SnapshotChecksums sums = new SnapshotChecksums(r, FAST);
            var results = byFile(sums.refresh(SnapshotChecksums.Mode.FAST_CHECK));
            sums.close();
            assertEquals(List.of("volume-snap-s1.img"), List.copyOf(results.keySet()));
            assertTrue(results.get("volume-snap-s1.img").rehashed());
            String json = Files.readString(dir.resolve("volume-snap-s1.img.checksum"));
            for (String field : List.of("\"method\":\"sha256\"", "\"checksum\":\"", "\"change_time\":\"",
                    "\"modification_time\":\"", "\"size\":16777216", "\"last_hashed_at\":\"",
                    "\"silently_corrupted\":false")) {
                assertTrue(json.contains(field), field + " in " + json);
            }
            assertFalse(Files.exists(dir.resolve(r.headFile() + ".checksum")));
        }
    }

    @Test
    void fastCheckReusesAnUnchangedFileAndRehashesAChangedOne() throws IOException {
        Path dir = tmp.resolve("r");
        try (Replica r = Replica.create(dir, 16 * MiB)) {
            r.write(0, pattern(8 * BS, 3));
            r.snapshot("s1", Map.of(), true, Instant.now());
            SnapshotChecksums sums = new SnapshotChecksums(r, FAST);
            String first = sums.refresh(SnapshotChecksums.Mode.FAST_CHECK).getFirst().checksum().checksum();
            var again = sums.refresh(SnapshotChecksums.Mode.FAST_CHECK).getFirst();
            assertFalse(again.rehashed(), "an unchanged file keeps its stored checksum under fast-check");
            assertEquals(first, again.checksum().checksum());
            assertTrue(sums.refresh(SnapshotChecksums.Mode.ENABLED).getFirst().rehashed(), "enabled always re-hashes");
            try (RandomAccessFile f = new RandomAccessFile(dir.resolve("volume-snap-s1.img").toFile(), "rw")) {
                f.seek(5 * BS + 17);
                f.write(f.read() ^ 0x40);
            }
            var changed = sums.refresh(SnapshotChecksums.Mode.FAST_CHECK).getFirst();
            sums.close();
            assertTrue(changed.rehashed());
            assertNotEquals(first, changed.checksum().checksum());
            assertFalse(changed.checksum().silentlyCorrupted(), "a write through the file system is not silent");
        }
    }

    @Test
    void checksumIsOfTheContentSoPunchedAndWrittenZerosAgree() throws IOException {
        String[] sums = new String[2];
        for (int i = 0; i < 2; i++) {
            try (Replica r = Replica.create(tmp.resolve("r" + i), 16 * MiB)) {
                r.write(0, pattern(16 * BS, 4));
                if (i == 0) {
                    r.write(4 * BS, ByteBuffer.allocate(4 * BS));
                } else {
                    r.unmap(4 * BS, 4 * BS);
                }
                r.snapshot("s1", Map.of(), true, Instant.now());
                SnapshotChecksums s = new SnapshotChecksums(r, FAST);
                sums[i] = s.refresh(SnapshotChecksums.Mode.ENABLED).getFirst().checksum().checksum();
                s.close();
            }
        }
        assertEquals(sums[0], sums[1]);
    }

    @Test
    void enabledModeFlagsContentThatChangedUnderAnUnchangedFile() throws IOException {
        Path dir = tmp.resolve("r");
        try (Replica r = Replica.create(dir, 16 * MiB)) {
            r.write(0, pattern(4 * BS, 5));
            r.snapshot("s1", Map.of(), true, Instant.now());
            SnapshotChecksums sums = new SnapshotChecksums(r, FAST);
            ChecksumFile good = sums.refresh(SnapshotChecksums.Mode.ENABLED).getFirst().checksum();
            // What bit rot looks like: the stored record matches the file's ctime, mtime and size,
            // but the content hashes differently.
            ChecksumFile recorded = new ChecksumFile(good.method(), "00" + good.checksum().substring(2),
                    good.changeTime(), good.modificationTime(), good.size(), good.lastHashedAt(), false);
            MetaFiles.write(dir.resolve("volume-snap-s1.img.checksum"), recorded);
            assertFalse(sums.refresh(SnapshotChecksums.Mode.FAST_CHECK).getFirst().checksum().silentlyCorrupted(),
                    "fast-check trusts an unchanged file");
            ChecksumFile checked = sums.refresh(SnapshotChecksums.Mode.ENABLED).getFirst().checksum();
            sums.close();
            assertTrue(checked.silentlyCorrupted());
        }
    }

    @Test
    void removingASnapshotRemovesItsChecksumFile() throws IOException {
        Path dir = tmp.resolve("r");
        try (Replica r = Replica.create(dir, 16 * MiB)) {
            r.write(0, pattern(BS, 6));
            r.snapshot("s1", Map.of(), true, Instant.now());
            r.write(0, pattern(BS, 7));
            r.snapshot("s2", Map.of(), true, Instant.now());
            SnapshotChecksums sums = new SnapshotChecksums(r, FAST);
            sums.refresh(SnapshotChecksums.Mode.ENABLED);
            sums.close();
            assertTrue(Files.exists(dir.resolve("volume-snap-s1.img.checksum")));
            r.removeSnapshot("s1");
            r.purge();
            assertFalse(Files.exists(dir.resolve("volume-snap-s1.img.checksum")));
        }
    }
}
