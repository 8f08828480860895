package io.longhorn.backupstore.store;

/**
 * What a deletion removed.
 *
 * @param blocksDeleted block files removed
 * @param blocksLeft    block files the volume still has
 */
public record DeleteResult(long blocksDeleted, long blocksLeft) {
}
