package io.longhorn.csi;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** gRPC errors as the CSI specification names them; argument errors name the field. */
public final class Errors {
    private Errors() {
    }

    public static StatusRuntimeException invalid(String field, String message) {
        return Status.INVALID_ARGUMENT.withDescription(field + ": " + message).asRuntimeException();
    }

    public static StatusRuntimeException required(String field) {
        return invalid(field, "is required");
    }

    public static StatusRuntimeException notFound(String message) {
        return Status.NOT_FOUND.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException alreadyExists(String message) {
        return Status.ALREADY_EXISTS.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException failedPrecondition(String message) {
        return Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException aborted(String message) {
        return Status.ABORTED.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException outOfRange(String message) {
        return Status.OUT_OF_RANGE.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException internal(String message) {
        return Status.INTERNAL.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException unavailable(String message) {
        return Status.UNAVAILABLE.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException deadline(String message) {
        return Status.DEADLINE_EXCEEDED.withDescription(message).asRuntimeException();
    }

    /** Requires a non-empty string field. */
    public static String require(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw required(field);
        }
        return value;
    }
}
