package io.longhorn.replica.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Thousands of random operations on a real replica, checked against an in-memory model of what
 * every block must read back. Seeded and reproducible: a failure prints the seed, and
 * {@code -Dreplica.model.seed=N} replays it.
 *
 * <p>The model keeps one tag per written block (the block's content is generated from it), so it
 * also covers volumes of gigabytes: the second test runs on a sparse volume of several of
 * {@link LayerIndex}'s 256 MiB chunks, with its operations clustered around the chunk boundaries.
 * Both also interrupt chain changes at random steps, as a crash would, and reopen.
 */
class ReplicaModelTest {
    private static final int BS = Replica.BLOCK_SIZE;
    /** Blocks per LayerIndex chunk (256 MiB of volume). */
    private static final long CHUNK_BLOCKS = 1 << 16;

    private static final Map<String, List<String>> CRASH_STEPS = Map.of(
            "snapshot", List.of("snapshot.linked", "snapshot.snapshotMetaWritten", "snapshot.newHeadWritten", "snapshot.committed"),
            "revert", List.of("revert.newHeadWritten", "revert.committed"),
            "purge", List.of("purge.copying", "purge.copied", "purge.reparented", "purge.volumeMetaWritten", "layer.imageDeleted"),
            "expand", List.of("expand.headGrown"));

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void randomOperationsReadBackAsTheModelSays(int run) {
        long seed = Long.getLong("replica.model.seed", System.nanoTime() + run);
        replay(seed, () -> {
            Random rnd = new Random(seed);
            new Model(dir.resolve("r" + run), rnd, 64 + rnd.nextInt(512), false).run(Integer.getInteger("replica.model.ops", 2000));
        });
    }

    @Test
    void randomOperationsAroundLayerIndexChunkBoundariesReadBackAsTheModelSays() {
        long seed = Long.getLong("replica.model.seed", System.nanoTime());
        replay(seed, () -> {
            Random rnd = new Random(seed);
            // Three chunks and part of a fourth (about 0.8 GiB, sparse); expands cross 1 GiB.
            long blocks = 3 * CHUNK_BLOCKS + 1 + rnd.nextInt(4096);
            new Model(dir.resolve("big"), rnd, blocks, true).run(Integer.getInteger("replica.model.ops", 1500));
        });
    }

    private static void replay(long seed, Runnable run) {
        try {
            run.run();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("model test failed with seed " + seed + " (replay: -Dreplica.model.seed=" + seed + "): "
                    + e.getMessage(), e);
        }
    }

    /** The bytes of a block written with {@code tag}; tag 0 is a block of zeros. */
    private static void content(long tag, byte[] dst, int off) {
        if (tag == 0) {
            Arrays.fill(dst, off, off + BS, (byte) 0);
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(dst, off, BS);
        long x = tag;
        while (b.hasRemaining()) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            b.putLong(x);
        }
    }

    private static final class Model {
        private final Path path;
        private final Random rnd;
        /** Operations cluster around chunk boundaries, and verification reads only what the model knows. */
        private final boolean boundaries;
        private Replica replica;
        private long blocks;
        /** Tag of every block that does not read as zeros. */
        private Map<Long, Long> tags = new HashMap<>();
        private final Map<String, Map<Long, Long>> snapshots = new HashMap<>();
        private final List<String> live = new ArrayList<>();
        private int snapCounter;
        private int crashes;

        Model(Path path, Random rnd, long blocks, boolean boundaries) {
            this.path = path;
            this.rnd = rnd;
            this.blocks = blocks;
            this.boundaries = boundaries;
            this.replica = Replica.create(path, blocks * BS);
        }

        void run(int ops) {
            try {
                for (int i = 0; i < ops; i++) {
                    step(i);
                    if (i % 250 == 0) {
                        verifyAll("after op " + i);
                    }
                }
                verifyAll("at the end");
                replica.close();
                replica = Replica.open(path);
                verifyAll("after the final reopen (" + crashes + " crashes on the way)");
            } finally {
                replica.close();
            }
        }

        private void step(int i) {
            int p = rnd.nextInt(100);
            if (p < 40) {
                write();
            } else if (p < 48) {
                zero(false);
            } else if (p < 54) {
                zero(true);
            } else if (p < 70) {
                readSome("op " + i);
            } else if (p < 78) {
                snapshot();
            } else if (p < 82) {
                revert();
            } else if (p < 88) {
                remove();
            } else if (p < 92) {
                replica.purge();
            } else if (p < 95) {
                replica.close();
                replica = Replica.open(path);
            } else if (p < 96) {
                expand();
            } else if (p < 98) {
                crashDuringAChange("op " + i);
            } else {
                replica.flush();
            }
        }

        /** A range of blocks: anywhere in a small volume, mostly across a chunk boundary in a big one. */
        private long[] range(boolean anywhere) {
            if (boundaries && !anywhere) {
                long chunks = (blocks - 1) / CHUNK_BLOCKS;
                long boundary = CHUNK_BLOCKS * (1 + rnd.nextInt((int) Math.max(1, chunks)));
                long first = Math.max(0, boundary - 1 - rnd.nextInt(48));
                long count = Math.min(1 + rnd.nextInt(64), blocks - first);
                return new long[] {first, Math.max(1, count)};
            }
            long first = (long) (rnd.nextDouble() * blocks);
            long count = 1 + rnd.nextInt((int) Math.min(32, blocks - first));
            return new long[] {first, count};
        }

        private void write() {
            long[] r = range(false);
            byte[] buf = new byte[(int) r[1] * BS];
            for (int j = 0; j < r[1]; j++) {
                long tag = rnd.nextLong() | 1;
                content(tag, buf, j * BS);
                tags.put(r[0] + j, tag);
            }
            replica.write(r[0] * BS, ByteBuffer.wrap(buf));
        }

        private void zero(boolean unmap) {
            long[] r = range(false);
            if (unmap) {
                replica.unmap(r[0] * BS, r[1] * BS);
            } else {
                replica.writeZeroes(r[0] * BS, r[1] * BS);
            }
            for (long b = r[0]; b < r[0] + r[1]; b++) {
                tags.remove(b);
            }
        }

        private void readSome(String when) {
            long[] r = range(boundaries && rnd.nextInt(10) == 0);
            verifyRange(r[0], r[1], when);
        }

        private void snapshot() {
            String name = "s" + (snapCounter++);
            SnapshotInfo info = replica.snapshot(name, Map.of("n", name), rnd.nextBoolean(), null);
            assertEquals(name, info.name());
            snapshots.put(name, new HashMap<>(tags));
            live.add(name);
        }

        private void revert() {
            if (live.isEmpty()) {
                return;
            }
            String name = live.get(rnd.nextInt(live.size()));
            replica.revert(name);
            reverted(name);
            verifyAll("after revert to " + name);
        }

        /** Reverting keeps the current (possibly expanded) size; the rest reads as zeros. */
        private void reverted(String name) {
            tags = new HashMap<>(snapshots.get(name));
        }

        private void remove() {
            if (live.isEmpty()) {
                return;
            }
            String name = live.remove(rnd.nextInt(live.size()));
            replica.removeSnapshot(name);
        }

        private void expand() {
            long more = boundaries ? 1 + rnd.nextInt((int) CHUNK_BLOCKS + 4096) : 1 + rnd.nextInt(64);
            replica.expand((blocks + more) * BS);
            blocks += more;
        }

        /** Interrupts a chain change at a random step, as a crash would, reopens and checks the outcome. */
        private void crashDuringAChange(String when) {
            List<String> kinds = List.of("snapshot", "revert", "purge", "expand");
            String kind = kinds.get(rnd.nextInt(kinds.size()));
            List<String> steps = CRASH_STEPS.get(kind);
            String at = steps.get(rnd.nextInt(steps.size()));
            Replica r = replica;
            switch (kind) {
                case "snapshot" -> {
                    String name = "s" + (snapCounter++);
                    boolean crashed = Crashes.crashAt(r, at, () -> r.snapshot(name, Map.of(), true, null));
                    reopen(crashed);
                    boolean exists = replica.snapshots().stream().anyMatch(s -> s.name().equals(name));
                    assertEquals(!crashed || at.equals("snapshot.committed"), exists,
                            "snapshot " + name + " interrupted at " + at + " exists " + when);
                    if (exists) {
                        snapshots.put(name, new HashMap<>(tags));
                        live.add(name);
                    }
                }
                case "revert" -> {
                    if (live.isEmpty()) {
                        return;
                    }
                    String name = live.get(rnd.nextInt(live.size()));
                    boolean crashed = Crashes.crashAt(r, at, () -> r.revert(name));
                    reopen(crashed);
                    if (!crashed || at.equals("revert.committed")) {
                        reverted(name);
                    }
                }
                case "purge" -> reopen(Crashes.crashAt(r, at, r::purge));
                case "expand" -> {
                    long more = boundaries ? CHUNK_BLOCKS : 1 + rnd.nextInt(64);
                    boolean crashed = Crashes.crashAt(r, at, () -> r.expand((blocks + more) * BS));
                    reopen(crashed);
                    if (!crashed) {
                        blocks += more;
                    }
                }
                default -> throw new IllegalStateException(kind);
            }
            verifyAll("after a " + kind + " interrupted at " + at + " " + when);
        }

        private void reopen(boolean crashed) {
            if (crashed) {
                crashes++;
                replica = Replica.open(path);
            }
        }

        private void verifyAll(String when) {
            assertEquals(blocks * BS, replica.size(), "size " + when);
            if (!boundaries) {
                verifyRange(0, blocks, when);
                return;
            }
            for (long b = CHUNK_BLOCKS; b < blocks; b += CHUNK_BLOCKS) {
                long first = Math.max(0, b - 64);
                verifyRange(first, Math.min(128, blocks - first), when);
            }
            verifyRange(blocks - Math.min(blocks, 64), Math.min(blocks, 64), when);
            for (long b : List.copyOf(tags.keySet())) {
                verifyRange(b, 1, when);
            }
        }

        private void verifyRange(long first, long count, String when) {
            ByteBuffer buf = ByteBuffer.allocate((int) (count * BS));
            replica.read(first * BS, buf);
            byte[] got = buf.array();
            byte[] want = new byte[got.length];
            for (int j = 0; j < count; j++) {
                content(tags.getOrDefault(first + j, 0L), want, j * BS);
            }
            if (!Arrays.equals(want, got)) {
                int at = Arrays.mismatch(want, got);
                throw new AssertionError("volume content differs " + when + " in block " + (first + at / BS)
                        + " (read of " + count + " blocks at block " + first + ")");
            }
        }
    }
}
