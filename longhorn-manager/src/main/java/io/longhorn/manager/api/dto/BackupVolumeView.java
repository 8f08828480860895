package io.longhorn.manager.api.dto;

import java.util.Map;

/** A backup volume: the backups of one volume in the target. Sizes are bytes as strings. */
public record BackupVolumeView(String id, String type, Map<String, String> links, Map<String, String> actions,
                               String name, String volumeName, String backupTargetName, String size, String created,
                               String lastBackupName, String lastBackupAt, String dataStored,
                               Map<String, String> labels, String lastSyncedAt) {
}
