package io.longhorn.api.auth;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.net.SocketAddress;
import java.time.Clock;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Admits a gRPC call only when it proves it holds the secret (a volume's, or the backup service's;
 * see {@link GrpcAuth}). A
 * refused call ends with {@code UNAUTHENTICATED} (no, malformed, stale or wrong credentials) or
 * {@code PERMISSION_DENIED} (a replayed credential) before the service sees it, so it changes
 * nothing; the refusal is counted and logged with the caller's claimed name, its address and the
 * method, never with the secret or the credential. Without a secret every call is admitted.
 */
public final class GrpcAuthServer implements ServerInterceptor {
    private static final Logger LOG = Logger.getLogger(GrpcAuthServer.class.getName());
    /** Nonces remembered at most; beyond that, calls are refused until old ones expire. */
    static final int MAX_NONCES = 200_000;

    private final VolumeSecret secret;
    private final String what;
    private final Clock clock;
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final AtomicLong refusals = new AtomicLong();
    private volatile long lastExpire;

    /**
     * @param secret the volume's secret, or null to admit every call
     * @param what   what is served, for the logs ("replica of volume vol1")
     */
    public GrpcAuthServer(VolumeSecret secret, String what) {
        this(secret, what, Clock.systemUTC());
    }

    GrpcAuthServer(VolumeSecret secret, String what, Clock clock) {
        this.secret = secret;
        this.what = what;
        this.clock = clock;
    }

    /** Calls refused since start. */
    public long refusals() {
        return refusals.get();
    }

    public boolean enabled() {
        return secret != null;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        if (secret == null) {
            return next.startCall(call, headers);
        }
        String method = call.getMethodDescriptor().getFullMethodName();
        Status refused = check(method, headers.get(GrpcAuth.HEADER));
        if (refused == null) {
            return next.startCall(call, headers);
        }
        refusals.incrementAndGet();
        SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        LOG.log(Level.WARNING, () -> what + ": refused " + method + " from " + peer + " (caller "
                + claimedCaller(headers.get(GrpcAuth.HEADER)) + "): " + refused.getDescription());
        call.close(refused, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    /** Null when the credential is good, else the status to refuse with. */
    Status check(String method, String header) {
        if (header == null) {
            return Status.UNAUTHENTICATED.withDescription(what + " requires a credential proving its secret (header "
                    + GrpcAuth.HEADER.name() + ") on " + method);
        }
        String[] f = header.split(";", -1);
        if (f.length != 5 || !f[0].equals(GrpcAuth.VERSION) || !GrpcAuth.WHO.matcher(f[1]).matches()) {
            return Status.UNAUTHENTICATED.withDescription("malformed credential for " + what + " on " + method);
        }
        long millis;
        byte[] mac;
        try {
            millis = Long.parseLong(f[2]);
            mac = Base64.getUrlDecoder().decode(f[4]);
        } catch (IllegalArgumentException e) {
            return Status.UNAUTHENTICATED.withDescription("malformed credential for " + what + " on " + method);
        }
        if (f[3].length() < 16 || f[3].length() > 64) {
            return Status.UNAUTHENTICATED.withDescription("malformed credential for " + what + " on " + method);
        }
        if (!secret.verify(mac, VolumeSecret.utf8("longhorn-grpc/1"), VolumeSecret.utf8(method),
                VolumeSecret.utf8(f[1]), VolumeSecret.utf8(f[2]), VolumeSecret.utf8(f[3]))) {
            return Status.UNAUTHENTICATED.withDescription("credential of " + f[1] + " for " + what + " on " + method
                    + " does not match its secret");
        }
        long now = clock.millis();
        if (Math.abs(now - millis) > GrpcAuth.WINDOW_MILLIS) {
            return Status.UNAUTHENTICATED.withDescription("credential of " + f[1] + " for " + what + " on " + method
                    + " is dated " + (millis - now) / 1000 + " s from this node's clock; at most "
                    + GrpcAuth.WINDOW_MILLIS / 1000 + " s are accepted (are the clocks in sync?)");
        }
        expire(now);
        if (seen.size() >= MAX_NONCES) {
            return Status.UNAVAILABLE.withDescription(what + " saw more than " + MAX_NONCES
                    + " calls within " + GrpcAuth.WINDOW_MILLIS / 1000 + " s; try again");
        }
        if (seen.putIfAbsent(f[3], millis) != null) {
            return Status.PERMISSION_DENIED.withDescription("credential of " + f[1] + " for " + what + " on " + method
                    + " was used before (a replayed call)");
        }
        return null;
    }

    /**
     * Forgets nonces old enough that their time alone refuses them; at most once a second (or when
     * the table is full), so that a busy server does not scan the table on every call.
     */
    private void expire(long now) {
        if (seen.size() < 1024 || now - lastExpire < 1000 && seen.size() < MAX_NONCES) {
            return;
        }
        lastExpire = now;
        for (Iterator<Long> it = seen.values().iterator(); it.hasNext(); ) {
            if (Math.abs(now - it.next()) > GrpcAuth.WINDOW_MILLIS) {
                it.remove();
            }
        }
    }

    private static String claimedCaller(String header) {
        if (header == null) {
            return "unnamed";
        }
        String[] f = header.split(";", -1);
        return f.length > 1 && GrpcAuth.WHO.matcher(f[1]).matches() ? f[1] : "unnamed";
    }
}
