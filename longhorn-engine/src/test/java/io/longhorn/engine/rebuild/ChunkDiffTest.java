package io.longhorn.engine.rebuild;

import static io.longhorn.engine.rebuild.ExtentMath.extent;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.longhorn.api.replica.RangeChecksum;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkDiffTest {

    static RangeChecksum sum(long offset, long length, String checksum) {
        return RangeChecksum.newBuilder().setOffset(offset).setLength(length).setChecksum(checksum).build();
    }

    @Test
    void onlyChunksWhoseChecksumsDifferAreCopiedWithNeighboursMerged() {
        List<RangeChecksum> source = List.of(sum(0, 4, "a"), sum(4, 4, "b"), sum(8, 4, "c"), sum(12, 4, "d"), sum(20, 2, "e"));
        List<RangeChecksum> target = List.of(sum(0, 4, "a"), sum(4, 4, "X"), sum(8, 4, "Y"), sum(12, 4, "d"), sum(20, 2, "f"));
        assertEquals(List.of(extent(4, 8), extent(20, 2)), ChunkDiff.differing(source, target));
    }

    @Test
    void chunksMissingOnTheTargetOrOfAnotherLengthDiffer() {
        List<RangeChecksum> source = List.of(sum(0, 4, "a"), sum(8, 4, "c"));
        List<RangeChecksum> target = List.of(sum(8, 2, "c"));
        assertEquals(List.of(extent(0, 4), extent(8, 4)), ChunkDiff.differing(source, target));
    }

    @Test
    void identicalFilesNeedNothing() {
        List<RangeChecksum> both = List.of(sum(0, 4, "ab"), sum(4, 4, "cd"));
        assertEquals(List.of(), ChunkDiff.differing(both, List.of(sum(0, 4, "AB"), sum(4, 4, "CD"))));
    }
}
