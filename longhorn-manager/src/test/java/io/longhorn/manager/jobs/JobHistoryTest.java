package io.longhorn.manager.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.longhorn.manager.model.RecurringJobRun;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobHistoryTest {
    private static RecurringJobRun run(String at, String state) {
        RecurringJobRun r = new RecurringJobRun();
        r.startedAt = at;
        r.state = state;
        return r;
    }

    private static List<String> times(List<RecurringJobRun> h) {
        return h.stream().map(r -> r.startedAt).toList();
    }

    @Test
    void keepsTheNewestRunsOfEachOutcomeUpToItsLimitOldestFirst() {
        List<RecurringJobRun> h = new ArrayList<>();
        String[] states = {"succeeded", "failed", "succeeded", "failed", "succeeded", "failed"};
        for (int i = 0; i < states.length; i++) {
            h = JobHistory.append(h, run("t" + i, states[i]), 2, 1);
        }
        assertEquals(List.of("t2", "t4", "t5"), times(h));
    }

    @Test
    void aLimitOfZeroKeepsNone() {
        List<RecurringJobRun> h = JobHistory.append(List.of(run("t0", "succeeded")), run("t1", "failed"), 0, 0);
        assertEquals(List.of(), times(h));
    }
}
