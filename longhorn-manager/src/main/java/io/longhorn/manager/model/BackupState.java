package io.longhorn.manager.model;

/** Backup states as Longhorn names them. */
public final class BackupState {
    public static final String NEW = "";
    public static final String PENDING = "Pending";
    public static final String IN_PROGRESS = "InProgress";
    public static final String COMPLETED = "Completed";
    public static final String ERROR = "Error";
    public static final String UNKNOWN = "Unknown";
    /** Asked to be deleted from the target. */
    public static final String DELETING = "Deleting";

    private BackupState() {
    }
}
