package io.longhorn.backupstore.store;

import io.longhorn.backupstore.format.BackupConfig;
import io.longhorn.backupstore.format.VolumeConfig;
import java.util.List;

/**
 * A backup volume as listed: its {@code volume.cfg} and its complete backups, oldest first.
 *
 * @param config  the volume's cfg
 * @param backups its backups; a backup without a cfg (in progress or killed) is not among them
 */
public record BackupVolume(VolumeConfig config, List<BackupConfig> backups) {
}
