package io.longhorn.backupstore.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longhorn.backupstore.error.BackupStoreException;

/** Maps the backupstore's failures to gRPC status codes, keeping their messages. */
final class GrpcErrors {
    private GrpcErrors() {
    }

    static StatusRuntimeException toStatus(Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        if (t instanceof BackupStoreException e) {
            Status status = switch (e.reason()) {
                case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
                case NOT_FOUND -> Status.NOT_FOUND;
                case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
                case LOCKED -> Status.FAILED_PRECONDITION;
                case DATA_CORRUPT -> Status.DATA_LOSS;
                case CANCELLED -> Status.CANCELLED;
                case UNAVAILABLE -> Status.UNAVAILABLE;
            };
            return status.withDescription(e.getMessage()).asRuntimeException();
        }
        return Status.INTERNAL.withDescription(t.toString()).withCause(t).asRuntimeException();
    }
}
