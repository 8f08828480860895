package io.longhorn.backupstore.copy;

/**
 * What a copy did.
 *
 * @param blocksWritten blocks holding data written to the target
 * @param blocksZeroed  blocks zeroed (an overwriting copy, where the snapshot has none)
 * @param bytes         bytes of the volume covered
 */
public record CopyResult(long blocksWritten, long blocksZeroed, long bytes) {
}
