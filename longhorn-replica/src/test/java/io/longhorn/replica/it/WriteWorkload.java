package io.longhorn.replica.it;

import io.longhorn.api.client.ReplicaDataClient;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stream of verifiable writes with periodic flushes, and the check of what must read back after
 * a crash. Each write carries a version, greater than every earlier one; each 4 KiB block it
 * writes holds its block number, that version and bytes derived from both, so a read tells which
 * write a block came from. Writes within a batch never overlap and a batch is acknowledged before
 * the next starts, so the newest acknowledged version of every block is well defined.
 *
 * <p>The guarantee checked: a block reads back as the version it had when the last acknowledged
 * flush was sent, or as a later write to it (acknowledged or not, since an unacknowledged write
 * may have reached the disk), never as anything else.
 */
final class WriteWorkload implements Runnable {
    static final int BLOCK = 4096;
    static final int SLOTS = 512;
    static final int SLOT_BLOCKS = 8;
    static final int BLOCKS = SLOTS * SLOT_BLOCKS;
    private static final int BATCH = 32;

    private final ReplicaDataClient client;
    private final Random rnd;
    /** Every version ever sent to a block, acknowledged or not. */
    private final Map<Integer, List<Long>> issued = new ConcurrentHashMap<>();
    /** Newest acknowledged version per block, only touched by the writer thread. */
    private final Map<Integer, Long> latest = new HashMap<>();
    private volatile Map<Integer, Long> durable = Map.of();
    final AtomicInteger flushes = new AtomicInteger();
    final AtomicInteger batches = new AtomicInteger();
    volatile Throwable stoppedBy;
    private long version;

    WriteWorkload(ReplicaDataClient client, long seed) {
        this.client = client;
        this.rnd = new Random(seed);
    }

    @Override
    public void run() {
        try {
            while (true) {
                batch();
                if (batches.incrementAndGet() % 3 == 0) {
                    Map<Integer, Long> snapshot = Map.copyOf(latest);
                    client.flush().get(60, TimeUnit.SECONDS);
                    durable = snapshot;
                    flushes.incrementAndGet();
                }
            }
        } catch (Throwable t) {
            stoppedBy = t;
        }
    }

    private void batch() throws Exception {
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            slots.add(i);
        }
        Collections.shuffle(slots, rnd);
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>();
        List<Long> versions = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            int first = slots.get(i) * SLOT_BLOCKS + rnd.nextInt(SLOT_BLOCKS);
            int count = 1 + rnd.nextInt(SLOT_BLOCKS - first % SLOT_BLOCKS);
            long v = ++version;
            ByteBuffer buf = ByteBuffer.allocate(count * BLOCK);
            for (int b = first; b < first + count; b++) {
                buf.put(content(b, v));
                issued.computeIfAbsent(b, k -> new CopyOnWriteArrayList<>()).add(v);
            }
            buf.flip();
            ranges.add(new int[] {first, count});
            versions.add(v);
            fs.add(client.write((long) first * BLOCK, buf, false));
        }
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (int i = 0; i < ranges.size(); i++) {
            for (int b = ranges.get(i)[0]; b < ranges.get(i)[0] + ranges.get(i)[1]; b++) {
                latest.put(b, versions.get(i));
            }
        }
    }

    static byte[] content(int block, long version) {
        byte[] d = new byte[BLOCK];
        new Random(block * 1_000_003L + version).nextBytes(d);
        ByteBuffer.wrap(d).putLong(block).putLong(version);
        return d;
    }

    /** Problems found in the replica's blocks; empty when everything is as guaranteed. */
    List<String> check(ReplicaDataClient after) throws Exception {
        ByteBuffer all = ByteBuffer.allocate(BLOCKS * BLOCK);
        after.read(0, all).get(60, TimeUnit.SECONDS);
        byte[] bytes = all.array();
        Map<Integer, Long> d = durable;
        List<String> problems = new ArrayList<>();
        for (int b = 0; b < BLOCKS; b++) {
            byte[] got = java.util.Arrays.copyOfRange(bytes, b * BLOCK, (b + 1) * BLOCK);
            long v = decode(b, got);
            long must = d.getOrDefault(b, 0L);
            List<Long> sent = issued.getOrDefault(b, List.of());
            if (v < 0) {
                problems.add("block " + b + " holds bytes no write produced");
            } else if (v < must) {
                problems.add("block " + b + " reads version " + v + " but version " + must + " was flushed");
            } else if (v > must && !sent.contains(v)) {
                problems.add("block " + b + " reads version " + v + " which was never written to it");
            }
        }
        return problems;
    }

    /** The version a block holds, 0 for zeros, -1 for anything else. */
    private static long decode(int block, byte[] got) {
        boolean zero = true;
        for (byte x : got) {
            if (x != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return 0;
        }
        ByteBuffer h = ByteBuffer.wrap(got);
        long b = h.getLong();
        long v = h.getLong();
        if (b != block || v <= 0 || !java.util.Arrays.equals(got, content(block, v))) {
            return -1;
        }
        return v;
    }

    int durableBlocks() {
        return durable.size();
    }
}
