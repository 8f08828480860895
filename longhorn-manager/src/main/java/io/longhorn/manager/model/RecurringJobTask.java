package io.longhorn.manager.model;

import java.util.List;

/** The tasks a recurring job can run, named as in Longhorn. */
public final class RecurringJobTask {
    public static final String SNAPSHOT = "snapshot";
    public static final String SNAPSHOT_FORCE_CREATE = "snapshot-force-create";
    public static final String SNAPSHOT_CLEANUP = "snapshot-cleanup";
    public static final String SNAPSHOT_DELETE = "snapshot-delete";
    public static final String BACKUP = "backup";
    public static final String BACKUP_FORCE_CREATE = "backup-force-create";

    public static final List<String> ALL = List.of(SNAPSHOT, SNAPSHOT_FORCE_CREATE, SNAPSHOT_CLEANUP,
            SNAPSHOT_DELETE, BACKUP, BACKUP_FORCE_CREATE);

    private RecurringJobTask() {
    }
}
