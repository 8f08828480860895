package io.longhorn.backupstore.service;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.longhorn.api.auth.GrpcAuthServer;
import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.backupstore.config.BackupConfigMapping;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Runs every call through the service-secret check ({@link io.longhorn.api.auth.GrpcAuth}) before
 * the service sees it: with {@code longhorn.backup.secret-file} ({@code serve --secret-file}) a call
 * that cannot prove the secret ends UNAUTHENTICATED (or PERMISSION_DENIED when replayed), is logged
 * with its caller and address and counted, and changes nothing. Read at start-up: a secret file that
 * cannot be read stops the service instead of leaving it open.
 */
@GlobalInterceptor
@ApplicationScoped
@Startup
public class ServiceAuth implements ServerInterceptor {
    @Inject
    BackupConfigMapping config;

    private GrpcAuthServer auth;

    @PostConstruct
    void load() {
        VolumeSecret secret = null;
        if (config.secretFile().isPresent()) {
            try {
                secret = VolumeSecret.load(config.secretFile().get());
            } catch (IOException e) {
                throw new UncheckedIOException("--secret-file: " + e.getMessage(), e);
            }
        }
        auth = new GrpcAuthServer(secret, "backup service");
    }

    /** Whether calls must prove the secret. */
    public boolean enabled() {
        return auth.enabled();
    }

    /** Calls refused since start. */
    public long refusals() {
        return auth.refusals();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        return auth.interceptCall(call, headers, next);
    }
}
