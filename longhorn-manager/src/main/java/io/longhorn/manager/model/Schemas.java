package io.longhorn.manager.model;

/**
 * The allowed values of the model's enumerated string fields, as schema patterns of the generated
 * CRDs (the API server then refuses any other value). Built from the constants the controllers use,
 * so that the schema and the code cannot disagree.
 */
final class Schemas {
    /** Bytes, as a decimal string. */
    static final String SIZE = "^[0-9]+$";
    static final String VOLUME_STATE = "^(" + VolumeState.CREATING + "|" + VolumeState.ATTACHED + "|" + VolumeState.DETACHED
            + "|" + VolumeState.ATTACHING + "|" + VolumeState.DETACHING + "|" + VolumeState.DELETING + ")$";
    static final String VOLUME_ROBUSTNESS = "^(" + VolumeRobustness.HEALTHY + "|" + VolumeRobustness.DEGRADED + "|"
            + VolumeRobustness.FAULTED + "|" + VolumeRobustness.UNKNOWN + ")$";
    static final String INSTANCE_STATE = "^(" + InstanceState.RUNNING + "|" + InstanceState.STOPPED + "|" + InstanceState.STARTING
            + "|" + InstanceState.STOPPING + "|" + InstanceState.ERROR + "|" + InstanceState.UNKNOWN + ")$";
    static final String DESIRE_STATE = "^(" + InstanceState.RUNNING + "|" + InstanceState.STOPPED + ")$";
    static final String BACKUP_STATE = "^(" + BackupState.PENDING + "|" + BackupState.IN_PROGRESS + "|" + BackupState.COMPLETED
            + "|" + BackupState.ERROR + "|" + BackupState.UNKNOWN + "|" + BackupState.DELETING + ")?$";
    static final String RECURRING_JOB_TASK = "^(" + RecurringJobTask.SNAPSHOT + "|" + RecurringJobTask.SNAPSHOT_FORCE_CREATE
            + "|" + RecurringJobTask.SNAPSHOT_CLEANUP + "|" + RecurringJobTask.SNAPSHOT_DELETE + "|" + RecurringJobTask.BACKUP
            + "|" + RecurringJobTask.BACKUP_FORCE_CREATE + ")$";
    static final String DATA_ENGINE = "^(v1|v2)$";
    static final String DATA_LOCALITY = "^(disabled|best-effort|strict-local)$";
    static final String ACCESS_MODE = "^(rwo|rwx)$";
    static final String DISK_TYPE = "^(filesystem|block)$";
    static final String BACKUP_MODE = "^(full|incremental)?$";

    private Schemas() {
    }
}
