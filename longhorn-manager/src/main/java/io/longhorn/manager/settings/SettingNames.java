package io.longhorn.manager.settings;

/** Setting names, as upstream. */
public final class SettingNames {
    public static final String BACKUP_TARGET = "backup-target";
    public static final String BACKUP_TARGET_CREDENTIAL_SECRET = "backup-target-credential-secret";
    public static final String BACKUPSTORE_POLL_INTERVAL = "backupstore-poll-interval";
    public static final String DEFAULT_REPLICA_COUNT = "default-replica-count";
    public static final String REPLICA_SOFT_ANTI_AFFINITY = "replica-soft-anti-affinity";
    public static final String REPLICA_DISK_SOFT_ANTI_AFFINITY = "replica-disk-soft-anti-affinity";
    public static final String REPLICA_ZONE_SOFT_ANTI_AFFINITY = "replica-zone-soft-anti-affinity";
    public static final String STORAGE_OVER_PROVISIONING_PERCENTAGE = "storage-over-provisioning-percentage";
    public static final String STORAGE_MINIMAL_AVAILABLE_PERCENTAGE = "storage-minimal-available-percentage";
    public static final String STORAGE_RESERVED_PERCENTAGE_FOR_DEFAULT_DISK = "storage-reserved-percentage-for-default-disk";
    public static final String DEFAULT_DATA_PATH = "default-data-path";
    public static final String ENGINE_REPLICA_TIMEOUT = "engine-replica-timeout";
    public static final String CONCURRENT_REPLICA_REBUILD_PER_NODE_LIMIT = "concurrent-replica-rebuild-per-node-limit";
    public static final String BACKUP_COMPRESSION_METHOD = "backup-compression-method";
    public static final String BACKUP_CONCURRENT_LIMIT = "backup-concurrent-limit";
    public static final String RESTORE_CONCURRENT_LIMIT = "restore-concurrent-limit";
    public static final String AUTO_SALVAGE = "auto-salvage";
    public static final String DELETING_CONFIRMATION_FLAG = "deleting-confirmation-flag";
    public static final String SNAPSHOT_DATA_INTEGRITY = "snapshot-data-integrity";
    public static final String SNAPSHOT_DATA_INTEGRITY_CRONJOB = "snapshot-data-integrity-cronjob";
    public static final String SNAPSHOT_MAX_COUNT = "snapshot-max-count";
    public static final String RECURRING_SUCCESSFUL_JOBS_HISTORY_LIMIT = "recurring-successful-jobs-history-limit";
    public static final String RECURRING_FAILED_JOBS_HISTORY_LIMIT = "recurring-failed-jobs-history-limit";
    public static final String ALLOW_RECURRING_JOB_WHILE_VOLUME_DETACHED = "allow-recurring-job-while-volume-detached";
    public static final String DEFAULT_DATA_LOCALITY = "default-data-locality";
    public static final String REPLICA_AUTO_BALANCE = "replica-auto-balance";

    private SettingNames() {
    }
}
