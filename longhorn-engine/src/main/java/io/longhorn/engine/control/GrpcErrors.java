package io.longhorn.engine.control;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longhorn.engine.controller.VolumeException;
import io.longhorn.engine.rebuild.RebuildException;

/** Maps the engine's exceptions to gRPC status codes; the message travels as the description. */
final class GrpcErrors {

    private GrpcErrors() {
    }

    static StatusRuntimeException toStatus(RuntimeException e) {
        if (e instanceof StatusRuntimeException sre) {
            return sre;
        }
        Status status;
        if (e instanceof VolumeException ve) {
            status = switch (ve.kind()) {
                case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
                case NOT_FOUND -> Status.NOT_FOUND;
                case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
                case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
                case UNAVAILABLE -> Status.UNAVAILABLE;
                case INTERNAL -> Status.INTERNAL;
            };
        } else if (e instanceof RebuildException) {
            status = Status.ABORTED;
        } else if (e instanceof IllegalArgumentException) {
            status = Status.INVALID_ARGUMENT;
        } else {
            status = Status.INTERNAL;
        }
        return status.withDescription(e.getMessage()).withCause(e).asRuntimeException();
    }
}
