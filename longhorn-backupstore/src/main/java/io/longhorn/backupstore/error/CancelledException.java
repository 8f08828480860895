package io.longhorn.backupstore.error;

/** The operation was cancelled by its caller. */
public class CancelledException extends BackupStoreException {

    public CancelledException(String message) {
        super(Reason.CANCELLED, message);
    }

    public CancelledException(String message, Throwable cause) {
        super(Reason.CANCELLED, message, cause);
    }
}
