package io.longhorn.manager.model;

/** How often the job ran, and how its last run went. */
public class RecurringJobStatus {
    public String ownerID = "";
    public int executionCount;
    public String lastRunAt = "";
    public String lastError = "";
}
