package io.longhorn.backupstore.restore;

/**
 * A completed restore.
 *
 * @param backupName     the backup now on the target
 * @param incremental    whether only the blocks that differ from the last restored backup were written
 * @param blocksWritten  blocks written with data
 * @param blocksZeroed   blocks written with zeros
 * @param bytesWritten   bytes written (data and zeros)
 */
public record RestoreResult(String backupName, boolean incremental, long blocksWritten, long blocksZeroed,
                            long bytesWritten) {
}
