package io.longhorn.replica.store;

/** A snapshot, layer file or replica directory that the request names does not exist. */
public class NotFoundException extends ReplicaException {
    public NotFoundException(String message) {
        super(message);
    }
}
