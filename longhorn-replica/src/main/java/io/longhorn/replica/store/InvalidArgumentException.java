package io.longhorn.replica.store;

/** The request is wrong (offset beyond the size, bad name, unaligned I/O); nothing was changed. */
public class InvalidArgumentException extends ReplicaException {
    public InvalidArgumentException(String message) {
        super(message);
    }
}
