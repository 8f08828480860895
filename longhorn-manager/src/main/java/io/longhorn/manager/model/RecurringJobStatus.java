package io.longhorn.manager.model;

import java.util.ArrayList;
import java.util.List;

/**
 * How often the job ran, how its last run went, and the history of its latest runs (as many
 * successful and failed ones as {@code recurring-successful-jobs-history-limit} and
 * {@code recurring-failed-jobs-history-limit} keep).
 */
public class RecurringJobStatus {
    public String ownerID = "";
    public int executionCount;
    public String lastRunAt = "";
    public String lastError = "";
    /** Oldest first. */
    public List<RecurringJobRun> history = new ArrayList<>();
}
