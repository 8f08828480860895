package io.longhorn.backupstore.operations;

import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.backupstore.backup.BackupCreator;
import io.longhorn.backupstore.backup.BackupRequest;
import io.longhorn.backupstore.backup.BackupResult;
import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.driver.BackupTargets;
import io.longhorn.backupstore.driver.DriverOptions;
import io.longhorn.backupstore.endpoint.Endpoints;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.format.BackupConfig;
import io.longhorn.backupstore.format.BackupUrl;
import io.longhorn.backupstore.format.Compression;
import io.longhorn.backupstore.restore.RestoreRequest;
import io.longhorn.backupstore.restore.RestoreResult;
import io.longhorn.backupstore.restore.RestoreTarget;
import io.longhorn.backupstore.restore.Restorer;
import io.longhorn.backupstore.source.SnapshotSource;
import io.longhorn.backupstore.store.BackupStore;
import io.longhorn.backupstore.store.BackupVolume;
import io.longhorn.backupstore.store.DeleteResult;
import io.longhorn.backupstore.store.VolumeStore;
import io.longhorn.backupstore.work.Cancellation;
import io.longhorn.backupstore.work.ProgressListener;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The backupstore's operations as users call them, with URLs and addresses. */
public final class BackupOperations {
    private final DriverOptions options;
    private VolumeSecret replicaSecret;

    /**
     * Proves {@code secret} to the replicas this backs up from or restores to (null: replicas
     * without a secret); returns this.
     */
    public BackupOperations withReplicaSecret(VolumeSecret secret) {
        this.replicaSecret = secret;
        return this;
    }

    public BackupOperations(DriverOptions options) {
        this.options = options;
    }

    /**
     * What a backup needs from its caller.
     *
     * @param targetUrl   backup target URL
     * @param replica     replica control address or {@code dir:///replica/dir}
     * @param volumeName  null to take it from the replica's directory name
     * @param compression null for the default
     */
    public record CreateSpec(String targetUrl, String replica, String volumeName, String snapshotName,
                             String backupName, Map<String, String> labels, Compression compression,
                             int concurrency) {
    }

    /**
     * Backs up a snapshot; the target is opened (and checked) before the source is contacted.
     */
    public BackupResult create(CreateSpec spec, ProgressListener progress, Cancellation cancel) {
        try (BackupStoreDriver driver = BackupTargets.open(spec.targetUrl(), options);
             SnapshotSource source = Endpoints.source(spec.replica(), replicaSecret)) {
            String volume = spec.volumeName();
            if (volume == null || volume.isBlank()) {
                volume = source.info().volumeHint();
                if (volume == null) {
                    throw new InvalidInputException("cannot tell the volume name of replica " + spec.replica()
                            + " from its directory: give it explicitly");
                }
            }
            BackupRequest request = new BackupRequest(volume, spec.snapshotName(), blankToNull(spec.backupName()),
                    spec.labels(), spec.compression(), spec.concurrency());
            return BackupCreator.create(driver, source, request, progress, cancel);
        }
    }

    /**
     * Restores a backup into {@code targets} (replica control addresses or {@code file:///image}).
     *
     * @param lastRestored for a standby volume, the backup it holds; else null
     */
    public RestoreResult restore(String backupUrl, List<String> targets, String lastRestored, boolean overwrite,
                                 int concurrency, ProgressListener progress, Cancellation cancel) {
        BackupUrl url = BackupUrl.parse(backupUrl, true);
        try (BackupStoreDriver driver = BackupTargets.open(url.target(), options)) {
            VolumeStore store = new VolumeStore(driver, url.volume());
            BackupConfig cfg = store.backup(url.backup());
            long size = cfg.volumeSize() > 0 ? cfg.volumeSize()
                    : store.volumeConfig().map(v -> v.size()).orElse(0L);
            try (RestoreTarget target = Endpoints.target(targets, size, replicaSecret)) {
                return Restorer.restore(driver, new RestoreRequest(url.volume(), url.backup(), lastRestored,
                        overwrite, concurrency), target, progress, cancel);
            }
        }
    }

    public List<BackupVolume> list(String targetUrl, Optional<String> volume) {
        try (BackupStoreDriver driver = BackupTargets.open(targetUrl, options)) {
            return new BackupStore(driver).list(volume);
        }
    }

    public BackupConfig inspect(String backupUrl) {
        BackupUrl url = BackupUrl.parse(backupUrl, true);
        try (BackupStoreDriver driver = BackupTargets.open(url.target(), options)) {
            return new BackupStore(driver).inspect(url.volume(), url.backup());
        }
    }

    public DeleteResult delete(String backupUrl) {
        BackupUrl url = BackupUrl.parse(backupUrl, true);
        try (BackupStoreDriver driver = BackupTargets.open(url.target(), options)) {
            return new BackupStore(driver).deleteBackup(url.volume(), url.backup());
        }
    }

    public DeleteResult deleteVolume(String targetUrl, String volume) {
        try (BackupStoreDriver driver = BackupTargets.open(targetUrl, options)) {
            return new BackupStore(driver).deleteVolume(volume);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
