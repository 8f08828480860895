package io.longhorn.backupstore.error;

/** Base of every failure the backupstore reports; the message names the object and the cause. */
public class BackupStoreException extends RuntimeException {

    /** What kind of failure this is, for mapping to gRPC status codes and exit codes. */
    public enum Reason {
        /** The caller's input is wrong; nothing was changed. */
        INVALID_ARGUMENT,
        /** A target, volume, backup or snapshot does not exist. */
        NOT_FOUND,
        /** The target refused the credentials. */
        PERMISSION_DENIED,
        /** Another operation holds a conflicting lock on the backup volume. */
        LOCKED,
        /** Stored data is missing or does not match its checksum. */
        DATA_CORRUPT,
        /** The operation was cancelled. */
        CANCELLED,
        /** The target or a replica could not be reached or failed an I/O. */
        UNAVAILABLE
    }

    private final Reason reason;
    private volatile boolean targetIncomplete;

    public BackupStoreException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BackupStoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /**
     * Whether a restore failed after it had begun writing: its target holds partial content and was
     * marked failed. False when nothing was written.
     */
    public boolean targetIncomplete() {
        return targetIncomplete;
    }

    /** Records that the failed restore had begun writing to its target; returns this. */
    public BackupStoreException withTargetIncomplete() {
        targetIncomplete = true;
        return this;
    }
}
