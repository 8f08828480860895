package io.longhorn.backupstore.copy;

/**
 * What to copy.
 *
 * @param volumeName  the volume being filled, for messages
 * @param snapshot    the snapshot of the source to copy
 * @param overwrite   write every block (zeros where the snapshot has none) even into a target that
 *                    holds data or is marked failed; otherwise such a target is refused
 * @param concurrency blocks in flight
 */
public record CopyRequest(String volumeName, String snapshot, boolean overwrite, int concurrency) {
    public static final int DEFAULT_CONCURRENCY = 2;

    public CopyRequest {
        concurrency = concurrency <= 0 ? DEFAULT_CONCURRENCY : concurrency;
    }
}
