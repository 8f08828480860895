/**
 * What backups and restores share: running per-block work on a few threads with fail-fast
 * behaviour, progress reporting and cancellation.
 */
package io.longhorn.backupstore.work;
