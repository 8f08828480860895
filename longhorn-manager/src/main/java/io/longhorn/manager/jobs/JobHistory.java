package io.longhorn.manager.jobs;

import io.longhorn.manager.model.RecurringJobRun;
import java.util.ArrayList;
import java.util.List;

/**
 * The run history a recurring job keeps: the newest {@code successLimit} successful runs and the
 * newest {@code failedLimit} failed ones, oldest first (upstream's
 * {@code recurring-successful-jobs-history-limit} and {@code recurring-failed-jobs-history-limit}:
 * 0 keeps none). Pure.
 */
public final class JobHistory {
    private JobHistory() {
    }

    public static List<RecurringJobRun> append(List<RecurringJobRun> history, RecurringJobRun run, long successLimit,
                                               long failedLimit) {
        List<RecurringJobRun> all = new ArrayList<>(history);
        all.add(run);
        long keepOk = successLimit;
        long keepFailed = failedLimit;
        List<RecurringJobRun> kept = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            RecurringJobRun r = all.get(i);
            if (RecurringJobRun.FAILED.equals(r.state)) {
                if (keepFailed-- > 0) {
                    kept.addFirst(r);
                }
            } else if (keepOk-- > 0) {
                kept.addFirst(r);
            }
        }
        return kept;
    }
}
