/**
 * Reading and managing what a target holds: {@link io.longhorn.backupstore.store.VolumeStore}
 * reads and writes one backup volume's cfg files and blocks; {@link io.longhorn.backupstore.store.BackupStore}
 * lists backup volumes, inspects backups and deletes them with garbage collection of blocks.
 */
package io.longhorn.backupstore.store;
