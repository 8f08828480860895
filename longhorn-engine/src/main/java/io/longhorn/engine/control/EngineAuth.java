package io.longhorn.engine.control;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.longhorn.api.auth.GrpcAuthServer;
import io.longhorn.api.auth.VolumeSecret;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The volume's secret ({@code longhorn.engine.secret-file}) and the check every control call
 * passes before the service sees it (see {@link io.longhorn.api.auth.GrpcAuth}): a call that cannot
 * prove the secret ends UNAUTHENTICATED or PERMISSION_DENIED and changes nothing. Without a
 * secret file every call is admitted.
 */
@GlobalInterceptor
@ApplicationScoped
public class EngineAuth implements ServerInterceptor {
    @Inject
    EngineConfig config;

    private VolumeSecret secret;
    private GrpcAuthServer server;

    @PostConstruct
    void load() {
        String file = config.secretFile().orElse(null);
        if (file != null) {
            try {
                secret = VolumeSecret.load(Path.of(file));
            } catch (IOException e) {
                throw new UncheckedIOException("longhorn.engine.secret-file: " + e.getMessage(), e);
            }
        }
        server = new GrpcAuthServer(secret, "engine of volume " + config.volume().orElse("(none)"));
    }

    /** The volume's secret, or null when none is configured. */
    public VolumeSecret secret() {
        return secret;
    }

    /** Control calls refused since start. */
    public long refusals() {
        return server.refusals();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        return server.interceptCall(call, headers, next);
    }
}
