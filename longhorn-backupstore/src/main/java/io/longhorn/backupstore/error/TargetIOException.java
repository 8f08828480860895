package io.longhorn.backupstore.error;

/** The backup target or a replica failed an I/O or could not be reached. */
public class TargetIOException extends BackupStoreException {

    public TargetIOException(String message) {
        super(Reason.UNAVAILABLE, message);
    }

    public TargetIOException(String message, Throwable cause) {
        super(Reason.UNAVAILABLE, message, cause);
    }
}
