package io.longhorn.replica.store;

import java.util.ArrayList;
import java.util.List;

/**
 * A byte range of a layer file that holds data.
 *
 * @param offset start, a multiple of the block size
 * @param length bytes, a multiple of the block size
 */
public record Extent(long offset, long length) {
    public long end() {
        return offset + length;
    }

    /** Parts of {@code a} not covered by {@code b}; both sorted and non-overlapping. */
    public static List<Extent> subtract(List<Extent> a, List<Extent> b) {
        List<Extent> out = new ArrayList<>();
        int j = 0;
        for (Extent e : a) {
            long pos = e.offset();
            long end = e.end();
            while (j < b.size() && b.get(j).end() <= pos) {
                j++;
            }
            int k = j;
            while (pos < end) {
                if (k >= b.size() || b.get(k).offset() >= end) {
                    out.add(new Extent(pos, end - pos));
                    break;
                }
                Extent x = b.get(k);
                if (x.offset() > pos) {
                    out.add(new Extent(pos, x.offset() - pos));
                }
                pos = Math.max(pos, x.end());
                k++;
            }
        }
        return out;
    }

}
