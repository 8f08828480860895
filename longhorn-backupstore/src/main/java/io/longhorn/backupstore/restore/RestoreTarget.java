package io.longhorn.backupstore.restore;

import java.util.concurrent.CompletableFuture;

/**
 * Where a restore writes: the volume's bytes at volume offsets. Writes may be issued from several
 * threads; each future completes when the write is acknowledged. Offsets and lengths are
 * multiples of 4096.
 */
public interface RestoreTarget extends AutoCloseable {

    /** Names the target in messages. */
    String describe();

    long size();

    /** Whether the target holds no data at all (a new volume). */
    boolean isEmpty();

    CompletableFuture<Void> write(long offset, byte[] data, int length);

    CompletableFuture<Void> writeZeros(long offset, int length);

    CompletableFuture<Void> flush();

    /**
     * Records that the restore failed, durably and where the rest of the system looks, so that
     * nobody takes the content for a good copy. Best effort: the restore's own error is what the
     * caller sees.
     */
    void markFailed(String reason);

    /** The failure mark an earlier restore (or anything else) left on the target, or null. */
    String failure();

    /** Removes the failure mark, once a restore rewrote the whole content. */
    void clearFailure();

    @Override
    void close();
}
