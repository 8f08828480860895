package io.longhorn.backupstore.restore;

/**
 * What to restore.
 *
 * @param volumeName         backup volume
 * @param backupName         backup to restore
 * @param lastRestoredBackup for a standby volume: the backup the target already holds; null for a
 *                           full restore into a new volume
 * @param overwrite          for a full restore into a target that is not empty: also zero every
 *                           block the backup does not have (otherwise such a target is refused)
 * @param concurrency        blocks in flight
 */
public record RestoreRequest(String volumeName, String backupName, String lastRestoredBackup, boolean overwrite,
                             int concurrency) {
    public static final int DEFAULT_CONCURRENCY = 2;

    public RestoreRequest {
        concurrency = concurrency <= 0 ? DEFAULT_CONCURRENCY : concurrency;
        lastRestoredBackup = lastRestoredBackup == null || lastRestoredBackup.isBlank() ? null : lastRestoredBackup;
    }
}
