package io.longhorn.backupstore.error;

/** The backup target refused the credentials. */
public class AccessDeniedException extends BackupStoreException {

    public AccessDeniedException(String message) {
        super(Reason.PERMISSION_DENIED, message);
    }

    public AccessDeniedException(String message, Throwable cause) {
        super(Reason.PERMISSION_DENIED, message, cause);
    }
}
