package io.longhorn.backupstore.job;

/** What a job does. */
public enum JobKind {
    BACKUP, RESTORE,
    /** A snapshot of one volume copied into the replicas of another, without a backup target. */
    COPY
}
