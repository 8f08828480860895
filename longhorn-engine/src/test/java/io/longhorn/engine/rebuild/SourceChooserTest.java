package io.longhorn.engine.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.longhorn.engine.rebuild.SourceChooser.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceChooserTest {

    @Test
    void firstRwReplicaWithTheHighestGenerationOtherThanTheTargetIsTheSource() {
        List<Candidate> c = List.of(
                new Candidate("err", false, 9),
                new Candidate("target", true, 7),
                new Candidate("old", true, 5),
                new Candidate("b", true, 7),
                new Candidate("c", true, 7));
        assertEquals("b", SourceChooser.choose(c, "target"));
    }

    @Test
    void noRwReplicaMeansNoSource() {
        assertNull(SourceChooser.choose(List.of(new Candidate("a", false, 3), new Candidate("t", true, 3)), "t"));
    }
}
