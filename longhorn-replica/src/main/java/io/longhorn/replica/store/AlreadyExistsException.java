package io.longhorn.replica.store;

/** A snapshot or replica with that name already exists. */
public class AlreadyExistsException extends ReplicaException {
    public AlreadyExistsException(String message) {
        super(message);
    }
}
