package io.longhorn.engine.rebuild;

import static io.longhorn.engine.rebuild.ExtentMath.extent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.replica.Extent;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtentMathTest {

    @Test
    void batchesHoldAtMostTheLimitAndCutLongExtentsAtChunkMultiples() {
        List<List<Extent>> b = ExtentMath.batches(List.of(extent(0, 3), extent(10, 25), extent(100, 2)), 10, 4);
        // the limit rounds down to 8 (a multiple of the chunk); a batch with less than a chunk of room is closed
        assertEquals(List.of(
                List.of(extent(0, 3), extent(10, 4)),
                List.of(extent(14, 8)),
                List.of(extent(22, 8)),
                List.of(extent(30, 5)),
                List.of(extent(100, 2))), b);
        for (List<Extent> batch : b) {
            assertTrue(ExtentMath.total(batch) <= 8);
        }
        assertEquals(30, b.stream().mapToLong(ExtentMath::total).sum());
    }

    @Test
    void normalizeSortsAndMergesTouchingRanges() {
        assertEquals(List.of(extent(0, 10), extent(20, 5)),
                ExtentMath.normalize(List.of(extent(20, 5), extent(4, 6), extent(0, 4), extent(2, 3), extent(30, 0))));
    }

    @Test
    void minusLeavesWhatIsNotCovered() {
        assertEquals(List.of(extent(0, 2), extent(8, 2), extent(30, 5)),
                ExtentMath.minus(List.of(extent(0, 10), extent(30, 5)), List.of(extent(2, 6), extent(10, 10))));
        assertEquals(List.of(), ExtentMath.minus(List.of(extent(4, 4)), List.of(extent(0, 16))));
    }

    @Test
    void overlapsIsHalfOpen() {
        List<Extent> e = List.of(extent(10, 10));
        assertTrue(ExtentMath.overlaps(e, 0, 11));
        assertFalse(ExtentMath.overlaps(e, 0, 10));
        assertFalse(ExtentMath.overlaps(e, 20, 30));
        assertTrue(ExtentMath.overlaps(e, 19, 30));
    }
}
