package io.longhorn.replica.store;

/** A metadata file on disk cannot be parsed or contradicts the other files. */
public class CorruptMetadataException extends ReplicaException {
    public CorruptMetadataException(String message) {
        super(message);
    }

    public CorruptMetadataException(String message, Throwable cause) {
        super(message, cause);
    }
}
