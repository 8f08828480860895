package io.longhorn.backupstore.error;

/** The caller's input is invalid (a URL, a name, a size); nothing was written. */
public class InvalidInputException extends BackupStoreException {

    public InvalidInputException(String message) {
        super(Reason.INVALID_ARGUMENT, message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(Reason.INVALID_ARGUMENT, message, cause);
    }
}
