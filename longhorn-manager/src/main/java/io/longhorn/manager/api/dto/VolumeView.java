package io.longhorn.manager.api.dto;

import io.longhorn.manager.model.CloneStatus;
import io.longhorn.manager.model.Condition;
import java.util.List;
import java.util.Map;

/**
 * A volume as the API shows it (Longhorn's field names). {@code size} is bytes as a string;
 * {@code cloneStatus} tells how a volume with a {@code dataSource} is being filled.
 */
public record VolumeView(String id, String type, Map<String, String> links, Map<String, String> actions,
                         String name, String size, int numberOfReplicas, String state, String robustness,
                         String frontend, boolean disableFrontend, String endpoint, String currentNodeID,
                         String fromBackup, String dataSource, CloneStatus cloneStatus, boolean standby,
                         boolean restoreRequired, String lastRestoredBackup,
                         String dataLocality, String accessMode, int staleReplicaTimeout, String image,
                         String currentImage, String created, String lastBackup, String lastBackupAt,
                         String lastAttachedBy, String actualSize, boolean expansionRequired,
                         String backupCompressionMethod, String dataEngine, List<String> diskSelector,
                         List<String> nodeSelector, Map<String, Condition> conditions,
                         Map<String, String> labels, List<ControllerView> controllers, List<ReplicaView> replicas,
                         List<RebuildView> rebuildStatus) {
}
