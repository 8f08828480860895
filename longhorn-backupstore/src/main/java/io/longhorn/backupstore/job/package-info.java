/**
 * Backup and restore jobs of the backup service: started at once, run on their own threads,
 * observable by id (state, progress, error) and cancellable. Finished jobs are remembered for a
 * while so that callers can poll their outcome.
 */
package io.longhorn.backupstore.job;
