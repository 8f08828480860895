package io.longhorn.manager.client;

import io.longhorn.api.backup.BackupInfo;
import io.longhorn.api.backup.BackupVolumeList;
import io.longhorn.api.backup.CopyRequest;
import io.longhorn.api.backup.CreateBackupRequest;
import io.longhorn.api.backup.Job;
import io.longhorn.api.backup.RestoreRequest;
import io.longhorn.api.backup.Target;

/** The backup service (backup.proto). Every call throws {@link ServiceCallException} on failure. */
public interface BackupClient {
    Job createBackup(CreateBackupRequest request);

    Job restore(RestoreRequest request);

    /** Starts copying a snapshot from a replica of one volume into the replicas of another. */
    Job copy(CopyRequest request);

    Job getJob(String id);

    BackupVolumeList listBackupVolumes(Target target, String volumeName);

    BackupInfo inspectBackup(Target target, String backupUrl);

    void deleteBackup(Target target, String backupUrl);

    void deleteBackupVolume(Target target, String volumeName);
}
