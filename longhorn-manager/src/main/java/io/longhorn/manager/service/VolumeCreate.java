package io.longhorn.manager.service;

/**
 * A volume creation request; null means "not given" (defaults apply).
 *
 * @param size bytes, or with a unit ({@code 10Gi}); may be omitted when restoring from a backup
 */
public record VolumeCreate(String name, String size, Integer numberOfReplicas, String frontend, String fromBackup,
                           Boolean standby, String dataLocality, String accessMode, Integer staleReplicaTimeout,
                           String backupCompressionMethod, String backupTargetName) {
}
