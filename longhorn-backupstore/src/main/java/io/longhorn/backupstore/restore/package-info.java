/**
 * Restoring a backup into a volume: every block read from the store, decompressed and verified
 * against its checksum before it is written, several blocks in flight; all-zero blocks were never
 * stored, so a new volume keeps holes there. A standby (DR) volume restores incrementally: only
 * blocks that differ from the backup it already holds are written (or zeroed).
 * {@link io.longhorn.backupstore.restore.RestoreTarget} is where the data goes: replicas over the
 * data protocol, or a raw image file.
 */
package io.longhorn.backupstore.restore;
