package io.longhorn.backupstore.job;

/** Life of a job: PENDING → RUNNING → COMPLETED | FAILED | CANCELLED. */
public enum JobState {
    PENDING, RUNNING, COMPLETED, FAILED, CANCELLED;

    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
