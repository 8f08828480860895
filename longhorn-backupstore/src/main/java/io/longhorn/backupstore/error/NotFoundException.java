package io.longhorn.backupstore.error;

/** A target, backup volume, backup, snapshot or replica does not exist. */
public class NotFoundException extends BackupStoreException {

    public NotFoundException(String message) {
        super(Reason.NOT_FOUND, message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(Reason.NOT_FOUND, message, cause);
    }
}
