/**
 * Backup targets behind one interface, {@link io.longhorn.backupstore.driver.BackupStoreDriver},
 * chosen by the URL scheme in {@link io.longhorn.backupstore.driver.BackupTargets}:
 * {@code file://} (a directory), {@code s3://} (any S3-compatible server) and {@code nfs://}
 * (mounted, then used as a directory).
 */
package io.longhorn.backupstore.driver;
