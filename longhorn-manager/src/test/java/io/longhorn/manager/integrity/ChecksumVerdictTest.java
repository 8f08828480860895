package io.longhorn.manager.integrity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.integrity.ChecksumVerdict.FileSum;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChecksumVerdictTest {
    private static final String F = "volume-snap-s1.img";

    private static FileSum sum(String checksum) {
        return new FileSum(F, checksum, 4096, false);
    }

    private static Map<String, List<FileSum>> replicas(Object... pairs) {
        Map<String, List<FileSum>> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<FileSum> l = (List<FileSum>) pairs[i + 1];
            m.put((String) pairs[i], l);
        }
        return m;
    }

    @Test
    void theReplicaOutvotedByTheOthersIsBadAndTheEventCanNameAGoodOne() {
        var r = ChecksumVerdict.judge(replicas("a", List.of(sum("x")), "b", List.of(sum("y")), "c", List.of(sum("x"))));
        assertEquals(1, r.bad().size());
        var bad = r.bad().getFirst();
        assertEquals("b", bad.replica());
        assertEquals(F, bad.file());
        assertEquals("x", bad.expected());
        assertEquals("a", bad.goodReplica());
        assertTrue(r.undecided().isEmpty());
    }

    @Test
    void agreeingReplicasAreAllFine() {
        var r = ChecksumVerdict.judge(replicas("a", List.of(sum("x")), "b", List.of(sum("x"))));
        assertTrue(r.bad().isEmpty() && r.undecided().isEmpty());
    }

    @Test
    void twoReplicasThatDisagreeAreReportedButNoneIsFailed() {
        var r = ChecksumVerdict.judge(replicas("a", List.of(sum("x")), "b", List.of(sum("y"))));
        assertTrue(r.bad().isEmpty());
        assertEquals(1, r.undecided().size());
        assertEquals(F, r.undecided().getFirst().file());
    }

    @Test
    void aSelfReportedSilentCorruptionDecidesEvenBetweenTwo() {
        var r = ChecksumVerdict.judge(replicas("a", List.of(new FileSum(F, "y", 4096, true)), "b", List.of(sum("x"))));
        assertEquals(1, r.bad().size());
        assertEquals("a", r.bad().getFirst().replica());
        assertEquals("b", r.bad().getFirst().goodReplica());
    }

    @Test
    void aFileMissingOnOneReplicaIsLeftForTheNextCheck() {
        var r = ChecksumVerdict.judge(replicas("a", List.of(sum("x")), "b", List.of(), "c", List.of(sum("y"))));
        assertTrue(r.bad().isEmpty() && r.undecided().isEmpty());
    }

    @Test
    void everyReplicaIsNeverCondemned() {
        var r = ChecksumVerdict.judge(replicas("a", List.of(new FileSum(F, "x", 1, true)),
                "b", List.of(new FileSum(F, "x", 1, true))));
        assertTrue(r.bad().isEmpty());
    }

    @Test
    void differingRangesAreMerged() {
        var ranges = ChecksumVerdict.differingRanges(
                List.of(new long[] {0, 10}, new long[] {10, 10}, new long[] {20, 10}, new long[] {30, 10}),
                List.of("a", "b", "c", "d"), List.of("a", "x", "y", "d"));
        assertEquals(1, ranges.size());
        assertEquals(10, ranges.getFirst()[0]);
        assertEquals(20, ranges.getFirst()[1]);
    }
}
