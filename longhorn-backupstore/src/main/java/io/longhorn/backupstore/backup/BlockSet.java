package io.longhorn.backupstore.backup;

import io.longhorn.backupstore.format.Layout;
import io.longhorn.backupstore.source.Extent;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;

/** The 2 MiB blocks a set of layers touch with data. */
final class BlockSet {
    private BlockSet() {
    }

    /** Offsets of the blocks any extent of {@code layers} touches, below {@code size}, ascending. */
    static long[] touched(Collection<List<Extent>> layers, long size) {
        BitSet blocks = new BitSet();
        for (List<Extent> extents : layers) {
            for (Extent e : extents) {
                long end = Math.min(e.end(), size);
                if (e.length() <= 0 || e.offset() >= end) {
                    continue;
                }
                blocks.set((int) (e.offset() / Layout.BLOCK_SIZE), (int) ((end - 1) / Layout.BLOCK_SIZE) + 1);
            }
        }
        return blocks.stream().mapToLong(i -> (long) i * Layout.BLOCK_SIZE).toArray();
    }
}
