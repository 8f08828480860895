package io.longhorn.api.client;

import io.longhorn.api.wire.WireStatus;

import java.io.IOException;

/**
 * A data request to a replica failed. {@link #status()} is the {@link WireStatus} the replica
 * replied with, or {@link WireStatus#EIO} / {@link WireStatus#ESHUTDOWN} when the connection was
 * lost or closed before the reply came.
 */
public class ReplicaDataException extends IOException {
    private final int status;

    public ReplicaDataException(int status, String message) {
        super(message);
        this.status = status;
    }

    public ReplicaDataException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The {@link WireStatus} code. */
    public int status() {
        return status;
    }

    /** The status' name, e.g. EINVAL. */
    public String statusName() {
        return WireStatus.name(status);
    }
}
