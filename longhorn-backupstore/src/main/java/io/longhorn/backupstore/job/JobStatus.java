package io.longhorn.backupstore.job;

/**
 * A job as seen at one moment.
 *
 * @param progress      percent, 0..100
 * @param error         why it failed or was cancelled, else null
 * @param backupUrl     the backup made (backup jobs) or restored (restore jobs)
 * @param bytesUploaded backup jobs: compressed bytes newly stored
 * @param started       RFC 3339
 * @param finished      RFC 3339, null while running
 * @param elapsedMillis run time so far, or in total once finished
 * @param targetIncomplete restore and copy jobs that failed or were cancelled after they began writing: the
 *                      target replicas hold partial content and were marked failed
 */
public record JobStatus(String id, JobKind kind, JobState state, int progress, String error, String volumeName,
                        String snapshotName, String backupName, String backupUrl, long blocksTotal, long blocksDone,
                        long bytesUploaded, boolean incremental, String started, String finished,
                        long elapsedMillis, boolean targetIncomplete) {
}
