package io.longhorn.csi;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/** Runs one RPC: its answer, or its error as a gRPC status (manager errors mapped to CSI codes). */
final class Rpc {
    private static final Logger LOG = Logger.getLogger(Rpc.class);

    private Rpc() {
    }

    static <T> void answer(StreamObserver<T> out, Supplier<T> body) {
        T result;
        try {
            result = body.get();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT && e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                LOG.warnf("%s", e.getStatus());
            }
            out.onError(e);
            return;
        } catch (ManagerClient.ApiException e) {
            Status s = switch (e.status()) {
                case 400 -> Status.INVALID_ARGUMENT;
                case 404 -> Status.NOT_FOUND;
                case 409 -> Status.FAILED_PRECONDITION;
                case 503 -> Status.UNAVAILABLE;
                default -> Status.INTERNAL;
            };
            LOG.warnf("manager: %s", e.getMessage());
            out.onError(s.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (RuntimeException e) {
            LOG.error("unexpected failure", e);
            out.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }
}
