package io.longhorn.replica.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Which layer of the active chain holds each 4 KiB block: 0 for none (the block reads as zeros),
 * 1 for the oldest layer, up to the head.
 *
 * <p>Two bytes per block (upstream uses one, hence its cap of about 250 snapshots; we allow 32767),
 * kept in chunks of 64 Ki blocks (256 MiB of volume, 128 KiB of memory) that are allocated on first
 * use, so a sparse 10 TiB volume costs little until it is written. Entries are read with acquire and
 * written with release semantics: a reader that sees a layer number also sees that layer's data.
 */
final class LayerIndex {
    private static final int CHUNK_SHIFT = 16;
    private static final int CHUNK_BLOCKS = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_BLOCKS - 1;
    private static final VarHandle SHORTS = MethodHandles.arrayElementVarHandle(short[].class);
    static final int MAX_LAYERS = Short.MAX_VALUE;

    private volatile AtomicReferenceArray<short[]> chunks;
    private volatile long blocks;

    LayerIndex(long blocks) {
        this.blocks = blocks;
        this.chunks = new AtomicReferenceArray<>((int) Math.ceilDiv(blocks, CHUNK_BLOCKS));
    }

    long blocks() {
        return blocks;
    }

    int get(long block) {
        short[] c = chunks.get((int) (block >>> CHUNK_SHIFT));
        return c == null ? 0 : (short) SHORTS.getAcquire(c, (int) (block & CHUNK_MASK));
    }

    void set(long block, int layer) {
        int ci = (int) (block >>> CHUNK_SHIFT);
        AtomicReferenceArray<short[]> cs = chunks;
        short[] c = cs.get(ci);
        if (c == null) {
            if (layer == 0) {
                return;
            }
            cs.compareAndSet(ci, null, new short[CHUNK_BLOCKS]);
            c = cs.get(ci);
        }
        SHORTS.setRelease(c, (int) (block & CHUNK_MASK), (short) layer);
    }

    void setRange(long firstBlock, long count, int layer) {
        for (long b = firstBlock; b < firstBlock + count; b++) {
            set(b, layer);
        }
    }

    /** Grows to cover more blocks; called with I/O excluded. */
    void grow(long newBlocks) {
        AtomicReferenceArray<short[]> old = chunks;
        AtomicReferenceArray<short[]> grown = new AtomicReferenceArray<>((int) Math.ceilDiv(newBlocks, CHUNK_BLOCKS));
        for (int i = 0; i < old.length(); i++) {
            grown.set(i, old.get(i));
        }
        chunks = grown;
        blocks = newBlocks;
    }

    /**
     * Renumbers after layer {@code removed} of the chain was merged into the layer above it: its
     * blocks now belong to the child, which moves down into its place, as does every newer layer.
     * Called with I/O excluded.
     */
    void mergedIntoChild(int removed) {
        AtomicReferenceArray<short[]> cs = chunks;
        for (int i = 0; i < cs.length(); i++) {
            short[] c = cs.get(i);
            if (c == null) {
                continue;
            }
            for (int j = 0; j < c.length; j++) {
                if (c[j] >= removed) {
                    c[j] = (short) (c[j] == removed ? removed : c[j] - 1);
                }
            }
        }
        VarHandle.releaseFence();
    }

    /** Bytes of memory the index holds. */
    long memoryBytes() {
        long n = 0;
        for (int i = 0; i < chunks.length(); i++) {
            if (chunks.get(i) != null) {
                n += 2L * CHUNK_BLOCKS;
            }
        }
        return n;
    }
}
