package io.longhorn.manager.api.dto;

import java.util.Map;

/** One backup; {@code url} is what a restore's {@code fromBackup} takes. Sizes are bytes as strings. */
public record BackupView(String id, String type, String name, String state, int progress, String url,
                         String snapshotName, String snapshotCreated, String created, String size,
                         Map<String, String> labels, String volumeName, String volumeSize, String error,
                         String compressionMethod, String newlyUploadDataSize) {
}
