package io.longhorn.replica.store;

import java.io.IOException;

/** The disk failed: a read, write, fsync or metadata update returned an I/O error. */
public class ReplicaIOException extends ReplicaException {
    public ReplicaIOException(String message, IOException cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
