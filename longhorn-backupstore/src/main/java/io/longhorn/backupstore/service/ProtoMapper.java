package io.longhorn.backupstore.service;

import io.longhorn.api.backup.BackupInfo;
import io.longhorn.api.backup.BackupVolumeInfo;
import io.longhorn.api.backup.Job;
import io.longhorn.backupstore.format.BackupConfig;
import io.longhorn.backupstore.format.BackupUrl;
import io.longhorn.backupstore.job.JobStatus;
import io.longhorn.backupstore.store.BackupVolume;

/** Between the backupstore's records and the proto messages. */
final class ProtoMapper {
    private ProtoMapper() {
    }

    static Job job(JobStatus s) {
        Job.Builder b = Job.newBuilder()
                .setId(s.id())
                .setKind(switch (s.kind()) {
                    case BACKUP -> io.longhorn.api.backup.JobKind.BACKUP;
                    case RESTORE -> io.longhorn.api.backup.JobKind.RESTORE;
                    case COPY -> io.longhorn.api.backup.JobKind.COPY;
                })
                .setState(switch (s.state()) {
                    case PENDING -> io.longhorn.api.backup.JobState.PENDING;
                    case RUNNING -> io.longhorn.api.backup.JobState.RUNNING;
                    case COMPLETED -> io.longhorn.api.backup.JobState.COMPLETED;
                    case FAILED -> io.longhorn.api.backup.JobState.FAILED;
                    case CANCELLED -> io.longhorn.api.backup.JobState.CANCELLED;
                })
                .setProgress(s.progress())
                .setBlocksTotal(s.blocksTotal())
                .setBlocksDone(s.blocksDone())
                .setBytesUploaded(s.bytesUploaded())
                .setIncremental(s.incremental())
                .setStarted(s.started())
                .setElapsedMs(s.elapsedMillis())
                .setTargetIncomplete(s.targetIncomplete());
        if (s.error() != null) {
            b.setError(s.error());
        }
        if (s.volumeName() != null) {
            b.setVolumeName(s.volumeName());
        }
        if (s.snapshotName() != null) {
            b.setSnapshotName(s.snapshotName());
        }
        if (s.backupName() != null) {
            b.setBackupName(s.backupName());
        }
        if (s.backupUrl() != null) {
            b.setBackupUrl(s.backupUrl());
        }
        if (s.finished() != null) {
            b.setFinished(s.finished());
        }
        return b.build();
    }

    static BackupInfo backup(String targetUrl, BackupConfig c) {
        return BackupInfo.newBuilder()
                .setName(c.name())
                .setUrl(BackupUrl.format(targetUrl, c.volumeName(), c.name()))
                .setVolumeName(nz(c.volumeName()))
                .setSnapshotName(nz(c.snapshotName()))
                .setSnapshotCreated(nz(c.snapshotCreatedAt()))
                .setCreated(nz(c.createdTime()))
                .setSize(c.size())
                .setVolumeSize(c.volumeSize())
                .putAllLabels(c.labelsOrEmpty())
                .setIncremental(c.incremental())
                .setCompressionMethod(nz(c.compressionMethod()))
                .setNewlyUploadedBytes(c.newlyUploadedDataSize())
                .setBlockCount(c.blocksOrEmpty().size())
                .build();
    }

    static BackupVolumeInfo volume(String targetUrl, BackupVolume v) {
        var c = v.config();
        BackupVolumeInfo.Builder b = BackupVolumeInfo.newBuilder()
                .setName(nz(c.name()))
                .setSize(c.size())
                .setCreated(nz(c.createdTime()))
                .setLastBackupName(nz(c.lastBackupName()))
                .setLastBackupAt(nz(c.lastBackupAt()))
                .setBlockCount(c.blockCount())
                .setCompressionMethod(nz(c.compressionMethod()))
                .putAllLabels(c.labels() == null ? java.util.Map.of() : c.labels());
        v.backups().forEach(bk -> b.addBackups(backup(targetUrl, bk)));
        return b.build();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
