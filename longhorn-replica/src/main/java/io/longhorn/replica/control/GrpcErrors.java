package io.longhorn.replica.control;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longhorn.replica.store.AlreadyExistsException;
import io.longhorn.replica.store.CorruptMetadataException;
import io.longhorn.replica.store.FencedException;
import io.longhorn.replica.store.InvalidArgumentException;
import io.longhorn.replica.store.NotFoundException;

/** Maps the store's exceptions to gRPC status codes, keeping the store's message. */
final class GrpcErrors {
    private GrpcErrors() {
    }

    static StatusRuntimeException toStatus(Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        Status code;
        if (t instanceof InvalidArgumentException || t instanceof IllegalArgumentException) {
            code = Status.INVALID_ARGUMENT;
        } else if (t instanceof NotFoundException) {
            code = Status.NOT_FOUND;
        } else if (t instanceof AlreadyExistsException) {
            code = Status.ALREADY_EXISTS;
        } else if (t instanceof FencedException) {
            code = Status.FAILED_PRECONDITION;
        } else if (t instanceof CorruptMetadataException) {
            code = Status.DATA_LOSS;
        } else if (t instanceof ServedReplica.NotServingException) {
            code = Status.UNAVAILABLE;
        } else {
            code = Status.INTERNAL;
        }
        String m = t.getMessage();
        return code.withDescription(m == null ? t.toString() : m).withCause(t).asRuntimeException();
    }

    /** True for errors that mean the replica failed rather than the request being wrong. */
    static boolean isServerFault(StatusRuntimeException e) {
        Status.Code c = e.getStatus().getCode();
        return c == Status.Code.INTERNAL || c == Status.Code.DATA_LOSS;
    }
}
