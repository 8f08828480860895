package io.longhorn.engine.rebuild;

import io.longhorn.api.replica.Extent;
import java.util.ArrayList;
import java.util.List;

/** Arithmetic on sorted lists of byte ranges. */
public final class ExtentMath {

    private ExtentMath() {
    }

    public static Extent extent(long offset, long length) {
        return Extent.newBuilder().setOffset(offset).setLength(length).build();
    }

    public static long total(List<Extent> extents) {
        long n = 0;
        for (Extent e : extents) {
            n += e.getLength();
        }
        return n;
    }

    /** Sorted by offset, overlapping or touching ranges merged. */
    public static List<Extent> normalize(List<Extent> extents) {
        List<Extent> sorted = new ArrayList<>(extents);
        sorted.removeIf(e -> e.getLength() <= 0);
        sorted.sort((a, b) -> Long.compare(a.getOffset(), b.getOffset()));
        List<Extent> out = new ArrayList<>();
        long start = -1;
        long end = -1;
        for (Extent e : sorted) {
            if (start >= 0 && e.getOffset() <= end) {
                end = Math.max(end, e.getOffset() + e.getLength());
                continue;
            }
            if (start >= 0) {
                out.add(extent(start, end - start));
            }
            start = e.getOffset();
            end = e.getOffset() + e.getLength();
        }
        if (start >= 0) {
            out.add(extent(start, end - start));
        }
        return out;
    }

    /**
     * Cuts {@code extents} into batches of at most {@code batchBytes} bytes each. An extent longer
     * than a batch is cut at multiples of {@code chunk} from its start, so that checksum chunks of
     * the pieces line up with those of the whole.
     */
    public static List<List<Extent>> batches(List<Extent> extents, long batchBytes, long chunk) {
        long limit = Math.max(chunk, batchBytes / chunk * chunk);
        List<List<Extent>> out = new ArrayList<>();
        List<Extent> current = new ArrayList<>();
        long inCurrent = 0;
        for (Extent e : extents) {
            long off = e.getOffset();
            long left = e.getLength();
            while (left > 0) {
                long room = limit - inCurrent;
                if (room < chunk && !current.isEmpty()) {
                    out.add(current);
                    current = new ArrayList<>();
                    inCurrent = 0;
                    room = limit;
                }
                long n = left <= room ? left : Math.max(chunk, room / chunk * chunk);
                n = Math.min(n, left);
                current.add(extent(off, n));
                inCurrent += n;
                off += n;
                left -= n;
            }
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /** Whether any of {@code extents} overlaps [{@code from}, {@code to}). */
    public static boolean overlaps(List<Extent> extents, long from, long to) {
        for (Extent e : extents) {
            if (e.getOffset() < to && e.getOffset() + e.getLength() > from) {
                return true;
            }
        }
        return false;
    }

    /** The parts of {@code a} not covered by {@code b}. */
    public static List<Extent> minus(List<Extent> a, List<Extent> b) {
        List<Extent> bs = normalize(b);
        List<Extent> out = new ArrayList<>();
        for (Extent e : normalize(a)) {
            long pos = e.getOffset();
            long end = e.getOffset() + e.getLength();
            for (Extent c : bs) {
                long cs = c.getOffset();
                long ce = c.getOffset() + c.getLength();
                if (ce <= pos || cs >= end) {
                    continue;
                }
                if (cs > pos) {
                    out.add(extent(pos, cs - pos));
                }
                pos = Math.max(pos, ce);
                if (pos >= end) {
                    break;
                }
            }
            if (pos < end) {
                out.add(extent(pos, end - pos));
            }
        }
        return out;
    }
}
