package io.longhorn.backupstore.backup;

import io.longhorn.backupstore.source.Extent;
import io.longhorn.backupstore.source.SnapshotReader;
import io.longhorn.backupstore.source.SnapshotSource;
import io.longhorn.backupstore.source.SourceSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads what a snapshot held at a range of the volume: for every byte the newest layer of the
 * chain with data there, zeros where no layer has any. Each byte is read once, from the layer that
 * owns it, so a block costs one read per layer that owns a part of it.
 */
public final class ChainReader implements SnapshotReader {
    private final SnapshotSource source;
    /** Newest layer first. */
    private final List<Layer> layers;

    private record Layer(String file, long[] starts, long[] ends) {
    }

    /**
     * @param chain   oldest first, as {@link io.longhorn.backupstore.source.SourceInfo#chain} returns it
     * @param extents data extents of every file of the chain
     */
    public ChainReader(SnapshotSource source, List<SourceSnapshot> chain, Map<String, List<Extent>> extents) {
        this.source = source;
        this.layers = new ArrayList<>();
        for (int i = chain.size() - 1; i >= 0; i--) {
            String file = chain.get(i).file();
            List<Extent> list = extents.get(file);
            long[] starts = new long[list.size()];
            long[] ends = new long[list.size()];
            for (int j = 0; j < list.size(); j++) {
                starts[j] = list.get(j).offset();
                ends[j] = list.get(j).end();
            }
            layers.add(new Layer(file, starts, ends));
        }
    }

    @Override
    public void read(long offset, byte[] buf, int length) {
        Arrays.fill(buf, 0, length, (byte) 0);
        List<long[]> uncovered = new ArrayList<>();
        uncovered.add(new long[] {offset, offset + length});
        for (Layer layer : layers) {
            if (uncovered.isEmpty()) {
                break;
            }
            List<Extent> take = new ArrayList<>();
            List<long[]> remaining = new ArrayList<>();
            for (long[] range : uncovered) {
                long lo = range[0];
                long hi = range[1];
                long cur = lo;
                int i = firstEndingAfter(layer.ends, lo);
                while (i < layer.starts.length && layer.starts[i] < hi) {
                    long s = Math.max(layer.starts[i], lo);
                    long e = Math.min(layer.ends[i], hi);
                    if (s > cur) {
                        remaining.add(new long[] {cur, s});
                    }
                    take.add(new Extent(s, e - s));
                    cur = e;
                    i++;
                }
                if (cur < hi) {
                    remaining.add(new long[] {cur, hi});
                }
            }
            if (!take.isEmpty()) {
                source.read(layer.file, take, offset, buf);
            }
            uncovered = remaining;
        }
    }

    /** Index of the first extent whose end is after {@code pos} (ends ascend: extents are sorted and disjoint). */
    private static int firstEndingAfter(long[] ends, long pos) {
        int lo = 0;
        int hi = ends.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] <= pos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
