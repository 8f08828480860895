package io.longhorn.replica.control;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Runs every control call through the volume-secret check (see
 * {@link io.longhorn.api.auth.GrpcAuth}) before the service sees it: a call that cannot prove the
 * secret ends UNAUTHENTICATED or PERMISSION_DENIED and changes nothing.
 */
@GlobalInterceptor
@ApplicationScoped
public class ControlAuthInterceptor implements ServerInterceptor {
    @Inject
    ServedReplica served;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        return served.auth().interceptCall(call, headers, next);
    }
}
