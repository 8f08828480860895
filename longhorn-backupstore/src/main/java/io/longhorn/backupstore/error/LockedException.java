package io.longhorn.backupstore.error;

/** A conflicting operation holds a lock on the backup volume. */
public class LockedException extends BackupStoreException {

    public LockedException(String message) {
        super(Reason.LOCKED, message);
    }

    public LockedException(String message, Throwable cause) {
        super(Reason.LOCKED, message, cause);
    }
}
