package io.longhorn.backupstore.backup;

import io.longhorn.backupstore.format.Compression;
import java.util.Map;

/**
 * What to back up.
 *
 * @param volumeName   the backup volume (the volume's name)
 * @param snapshotName the snapshot on the source
 * @param backupName   the backup's name, or null to generate {@code backup-<16 hex>}
 * @param labels       stored with the backup
 * @param compression  for a new backup volume; an existing one keeps its method. Null means lz4
 * @param concurrency  blocks in flight
 */
public record BackupRequest(String volumeName, String snapshotName, String backupName, Map<String, String> labels,
                            Compression compression, int concurrency) {
    public static final int DEFAULT_CONCURRENCY = 2;

    public BackupRequest {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        compression = compression == null ? Compression.LZ4 : compression;
        concurrency = concurrency <= 0 ? DEFAULT_CONCURRENCY : concurrency;
    }
}
