package io.longhorn.backupstore.error;

/** A stored block or config is missing or does not match its checksum. */
public class CorruptDataException extends BackupStoreException {

    public CorruptDataException(String message) {
        super(Reason.DATA_CORRUPT, message);
    }

    public CorruptDataException(String message, Throwable cause) {
        super(Reason.DATA_CORRUPT, message, cause);
    }
}
