package io.longhorn.manager.service;

import java.util.List;

/**
 * A volume creation request; null means "not given" (defaults apply).
 *
 * @param size         bytes, or with a unit ({@code 10Gi}); may be omitted when restoring from a backup
 * @param diskSelector tags every disk holding a replica must carry (none: any disk)
 * @param nodeSelector tags every node holding a replica must carry (none: any node)
 * @param dataSource   {@code vol://<volume>} or {@code snap://<volume>/<snapshot>}: the volume is
 *                     filled from there; its size must equal the source's
 */
public record VolumeCreate(String name, String size, Integer numberOfReplicas, String frontend, String fromBackup,
                           Boolean standby, String dataLocality, String accessMode, Integer staleReplicaTimeout,
                           String backupCompressionMethod, String backupTargetName, List<String> diskSelector,
                           List<String> nodeSelector, String dataSource) {

    /** A request without a data source. */
    public VolumeCreate(String name, String size, Integer numberOfReplicas, String frontend, String fromBackup,
                        Boolean standby, String dataLocality, String accessMode, Integer staleReplicaTimeout,
                        String backupCompressionMethod, String backupTargetName, List<String> diskSelector,
                        List<String> nodeSelector) {
        this(name, size, numberOfReplicas, frontend, fromBackup, standby, dataLocality, accessMode, staleReplicaTimeout,
                backupCompressionMethod, backupTargetName, diskSelector, nodeSelector, null);
    }

    /** A request without selectors. */
    public VolumeCreate(String name, String size, Integer numberOfReplicas, String frontend, String fromBackup,
                        Boolean standby, String dataLocality, String accessMode, Integer staleReplicaTimeout,
                        String backupCompressionMethod, String backupTargetName) {
        this(name, size, numberOfReplicas, frontend, fromBackup, standby, dataLocality, accessMode, staleReplicaTimeout,
                backupCompressionMethod, backupTargetName, null, null, null);
    }
}
