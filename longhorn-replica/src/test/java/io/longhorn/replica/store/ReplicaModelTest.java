package io.longhorn.replica.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Thousands of random operations on a real replica, checked against an in-memory model of what
 * every block must read back. Seeded and reproducible: a failure prints the seed, and
 * {@code -Dreplica.model.seed=N} replays it.
 */
class ReplicaModelTest {
    private static final int BS = Replica.BLOCK_SIZE;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void randomOperationsReadBackAsTheModelSays(int run) {
        long seed = Long.getLong("replica.model.seed", System.nanoTime() + run);
        try {
            new Model(dir.resolve("r" + run), seed).run(Integer.getInteger("replica.model.ops", 2000));
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("model test failed with seed " + seed + " (replay: -Dreplica.model.seed=" + seed + "): "
                    + e.getMessage(), e);
        }
    }

    private static final class Model {
        private final Path path;
        private final Random rnd;
        private Replica replica;
        private byte[] data;
        private final Map<String, byte[]> snapshots = new HashMap<>();
        private final List<String> live = new ArrayList<>();
        private int snapCounter;

        Model(Path path, long seed) {
            this.path = path;
            this.rnd = new Random(seed);
            int blocks = 64 + rnd.nextInt(512);
            this.data = new byte[blocks * BS];
            this.replica = Replica.create(path, data.length);
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
                verifyAll("after the final reopen");
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
            } else if (p < 79) {
                snapshot();
            } else if (p < 83) {
                revert();
            } else if (p < 89) {
                remove();
            } else if (p < 93) {
                replica.purge();
            } else if (p < 97) {
                replica.close();
                replica = Replica.open(path);
            } else if (p < 98) {
                expand();
            } else {
                replica.flush();
            }
        }

        private long[] range() {
            int blocks = data.length / BS;
            int first = rnd.nextInt(blocks);
            int count = 1 + rnd.nextInt(Math.min(32, blocks - first));
            return new long[] {(long) first * BS, (long) count * BS};
        }

        private void write() {
            long[] r = range();
            byte[] buf = new byte[(int) r[1]];
            rnd.nextBytes(buf);
            replica.write(r[0], ByteBuffer.wrap(buf));
            System.arraycopy(buf, 0, data, (int) r[0], buf.length);
        }

        private void zero(boolean unmap) {
            long[] r = range();
            if (unmap) {
                replica.unmap(r[0], r[1]);
            } else {
                replica.writeZeroes(r[0], r[1]);
            }
            Arrays.fill(data, (int) r[0], (int) (r[0] + r[1]), (byte) 0);
        }

        private void readSome(String when) {
            long[] r = range();
            ByteBuffer buf = ByteBuffer.allocate((int) r[1]);
            replica.read(r[0], buf);
            assertArrayEquals(Arrays.copyOfRange(data, (int) r[0], (int) (r[0] + r[1])), buf.array(),
                    "read of " + r[1] + " bytes at " + r[0] + " " + when);
        }

        private void snapshot() {
            String name = "s" + (snapCounter++);
            SnapshotInfo info = replica.snapshot(name, Map.of("n", name), rnd.nextBoolean(), null);
            assertEquals(name, info.name());
            snapshots.put(name, data.clone());
            live.add(name);
        }

        private void revert() {
            if (live.isEmpty()) {
                return;
            }
            String name = live.get(rnd.nextInt(live.size()));
            replica.revert(name);
            byte[] at = snapshots.get(name);
            // Reverting keeps the current (possibly expanded) size; the rest reads as zeros.
            data = Arrays.copyOf(at, data.length);
            verifyAll("after revert to " + name);
        }

        private void remove() {
            if (live.isEmpty()) {
                return;
            }
            String name = live.remove(rnd.nextInt(live.size()));
            replica.removeSnapshot(name);
        }

        private void expand() {
            int more = BS * (1 + rnd.nextInt(64));
            replica.expand(data.length + more);
            data = Arrays.copyOf(data, data.length + more);
            for (var e : snapshots.entrySet()) {
                e.setValue(Arrays.copyOf(e.getValue(), data.length));
            }
        }

        private void verifyAll(String when) {
            assertEquals(data.length, replica.size(), "size " + when);
            ByteBuffer buf = ByteBuffer.allocate(data.length);
            replica.read(0, buf);
            byte[] got = buf.array();
            if (!Arrays.equals(data, got)) {
                int at = Arrays.mismatch(data, got);
                throw new AssertionError("volume content differs " + when + " at byte " + at + " (block " + at / BS + ")");
            }
        }
    }
}
