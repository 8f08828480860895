package io.longhorn.backupstore.restore;

import io.longhorn.backupstore.error.BackupStoreException;
import io.longhorn.backupstore.error.TargetIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where a restore writes: the volume's bytes at volume offsets. Writes may be issued from several
 * threads; each future completes when the write is acknowledged. Offsets and lengths are
 * multiples of 4096.
 */
public interface RestoreTarget extends AutoCloseable {
    /** How long one write, zeroing or flush may take before the restore gives up on the target. */
    long WRITE_TIMEOUT_SECONDS = 120;

    /**
     * Waits for one of the target's futures: a {@link BackupStoreException} it failed with is thrown
     * as it is, anything else (and no answer within {@link #WRITE_TIMEOUT_SECONDS}) as a
     * {@link TargetIOException} saying what could not be done.
     */
    static void await(CompletableFuture<Void> f, String what) {
        try {
            f.get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof BackupStoreException b) {
                throw b;
            }
            throw new TargetIOException("cannot " + what + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new TargetIOException("cannot " + what + ": no answer in " + WRITE_TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetIOException("cannot " + what + ": interrupted", e);
        }
    }

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
