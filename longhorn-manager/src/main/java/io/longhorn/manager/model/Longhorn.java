package io.longhorn.manager.model;

/** Group, version, namespace, labels and finalizer names Longhorn uses on its resources. */
public final class Longhorn {
    public static final String GROUP = "longhorn.io";
    public static final String VERSION = "v1beta2";
    public static final String NAMESPACE = "longhorn-system";
    /** The finalizer that keeps a resource until its controller cleaned up what it owns. */
    public static final String FINALIZER = "longhorn.io";

    /** Label on engines, replicas, snapshots and backups naming their volume. */
    public static final String LABEL_VOLUME = "longhornvolume";
    /** Label on Snapshot resources naming the snapshot (the resource's name also names its volume). */
    public static final String LABEL_SNAPSHOT = "longhornsnapshot";
    /** Label on replicas naming their node and disk. */
    public static final String LABEL_NODE = "longhornnode";
    public static final String LABEL_DISK_UUID = "longhorndiskuuid";
    /** On a replica created by replica auto-balance, until the volume settles. */
    public static final String LABEL_AUTO_BALANCE = "longhorn.io/auto-balance";
    /** Label on backups naming their backup volume. */
    public static final String LABEL_BACKUP_VOLUME = "backup-volume";
    /** Volume label prefix joining a volume to one recurring job: {@code recurring-job.longhorn.io/<job>: enabled}. */
    public static final String LABEL_RECURRING_JOB_PREFIX = "recurring-job.longhorn.io/";
    /** Volume label prefix joining a volume to a recurring job group. */
    public static final String LABEL_RECURRING_GROUP_PREFIX = "recurring-job-group.longhorn.io/";
    /** Snapshot and backup label naming the recurring job that made it. */
    public static final String LABEL_RECURRING_JOB = "RecurringJob";
    public static final String ENABLED = "enabled";
    /** The group every volume without recurring job labels belongs to. */
    public static final String DEFAULT_GROUP = "default";

    private Longhorn() {
    }
}
