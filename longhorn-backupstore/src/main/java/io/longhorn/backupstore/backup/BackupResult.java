package io.longhorn.backupstore.backup;

/**
 * A completed backup.
 *
 * @param backupName     its name
 * @param backupUrl      {@code <target>?backup=<name>&volume=<volume>}
 * @param incremental    whether only blocks changed since the previous backup were read
 * @param blocksRead     blocks read from the source
 * @param blocksUploaded blocks newly stored
 * @param bytesUploaded  bytes newly stored (compressed)
 * @param blockCount     blocks the backup references
 */
public record BackupResult(String backupName, String backupUrl, boolean incremental, long blocksRead,
                           long blocksUploaded, long bytesUploaded, long blockCount) {
}
