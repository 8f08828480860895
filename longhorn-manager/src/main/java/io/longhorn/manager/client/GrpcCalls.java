package io.longhorn.manager.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.function.Supplier;

/** Runs a blocking gRPC call and turns its failure into a {@link ServiceCallException}. */
final class GrpcCalls {
    private GrpcCalls() {
    }

    static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            String desc = e.getStatus().getDescription();
            String reason = desc == null || desc.isEmpty() ? code.toString() : desc;
            throw new ServiceCallException("failed to " + what + ": " + reason,
                    code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED,
                    code == Status.Code.INVALID_ARGUMENT || code == Status.Code.FAILED_PRECONDITION
                            || code == Status.Code.ALREADY_EXISTS,
                    code == Status.Code.NOT_FOUND, e);
        }
    }
}
