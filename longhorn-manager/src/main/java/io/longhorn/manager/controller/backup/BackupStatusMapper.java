package io.longhorn.manager.controller.backup;

import io.longhorn.api.backup.BackupInfo;
import io.longhorn.manager.model.BackupState;
import io.longhorn.manager.model.BackupStatus;
import java.util.LinkedHashMap;

/** Fills a Backup status from what the backup target says about the backup. */
final class BackupStatusMapper {
    private BackupStatusMapper() {
    }

    static void fill(BackupStatus s, BackupInfo info, String targetUrl, String volume) {
        s.state = BackupState.COMPLETED;
        s.progress = 100;
        s.url = info.getUrl().isEmpty() ? BackupUrls.of(targetUrl, info.getName(), volume) : info.getUrl();
        s.snapshotName = info.getSnapshotName();
        s.snapshotCreatedAt = info.getSnapshotCreated();
        s.backupCreatedAt = info.getCreated();
        s.size = info.getSize();
        s.labels = new LinkedHashMap<>(info.getLabelsMap());
        s.volumeName = info.getVolumeName().isEmpty() ? volume : info.getVolumeName();
        s.volumeSize = info.getVolumeSize();
        s.compressionMethod = info.getCompressionMethod();
        s.newlyUploadDataSize = info.getNewlyUploadedBytes();
        s.error = "";
        s.jobID = "";
    }
}
