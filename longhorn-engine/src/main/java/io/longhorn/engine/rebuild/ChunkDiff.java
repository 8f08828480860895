package io.longhorn.engine.rebuild;

import io.longhorn.api.replica.Extent;
import io.longhorn.api.replica.RangeChecksum;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Which chunks of a layer file must be copied: those whose checksums differ between the replicas. */
public final class ChunkDiff {

    private ChunkDiff() {
    }

    /**
     * The ranges of {@code source} whose checksum on {@code target} differs or is missing, with
     * adjacent ranges merged. Ranges match by offset and length.
     */
    public static List<Extent> differing(List<RangeChecksum> source, List<RangeChecksum> target) {
        Map<Long, RangeChecksum> theirs = new HashMap<>();
        for (RangeChecksum t : target) {
            theirs.put(t.getOffset(), t);
        }
        List<Extent> out = new ArrayList<>();
        for (RangeChecksum s : source) {
            RangeChecksum t = theirs.get(s.getOffset());
            boolean same = t != null && t.getLength() == s.getLength() && t.getChecksum().equalsIgnoreCase(s.getChecksum());
            if (!same) {
                out.add(ExtentMath.extent(s.getOffset(), s.getLength()));
            }
        }
        return ExtentMath.normalize(out);
    }
}
