package io.longhorn.replica.store;

/**
 * Base of the replica's typed errors. Each subtype maps to one wire status and one gRPC status,
 * so a caller learns whether it sent something wrong or the replica failed.
 */
public class ReplicaException extends RuntimeException {
    public ReplicaException(String message) {
        super(message);
    }

    public ReplicaException(String message, Throwable cause) {
        super(message, cause);
    }
}
