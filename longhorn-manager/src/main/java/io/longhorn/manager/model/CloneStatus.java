package io.longhorn.manager.model;

/**
 * How a volume created with a {@code dataSource} is being filled from its source (Longhorn's
 * {@code status.cloneStatus}, with the copy job's progress and error).
 */
public class CloneStatus {
    public static final String STATE_INITIATED = "initiated";
    public static final String STATE_COMPLETED = "completed";
    public static final String STATE_FAILED = "failed";

    /** The volume the data comes from. */
    public String sourceVolume = "";
    /** The snapshot of the source that is copied (for {@code vol://}, the one taken for the copy). */
    public String snapshot = "";
    /** Empty before the first attempt, then {@code initiated}, {@code completed} or {@code failed}. */
    public String state = "";
    /** Why the last attempt failed, empty otherwise. */
    public String error = "";
    /** The running copy job of the backup service, empty otherwise. */
    public String jobID = "";
    public int progress;
    public int attemptCount;
    /**
     * Whether an attempt began writing and failed: the replicas hold partial data (and are marked
     * failed), so the next attempt rewrites every block.
     */
    public boolean overwriteRequired;
}
