/**
 * The typed failures of the backupstore. Each carries a {@link io.longhorn.backupstore.error.BackupStoreException.Reason}
 * that the gRPC service and the CLI map to a status code or exit code, and a message that names the
 * object concerned (target, volume, backup, block) and why it failed.
 */
package io.longhorn.backupstore.error;
