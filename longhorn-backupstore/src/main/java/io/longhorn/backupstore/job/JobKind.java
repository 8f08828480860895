package io.longhorn.backupstore.job;

/** What a job does. */
public enum JobKind {
    BACKUP, RESTORE
}
