package io.longhorn.api.auth;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

import java.time.Clock;
import java.util.Base64;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * How a call to an engine's or a replica's gRPC control API proves that its caller holds the
 * volume's secret, without sending it. Every call carries one metadata header,
 * <pre>
 *  longhorn-auth: v1;WHO;MILLIS;NONCE;MAC
 *  MAC = HMAC-SHA256(secret, "longhorn-grpc/1", method, WHO, MILLIS, NONCE)   (base64url, no padding)
 * </pre>
 * where WHO names the caller for the logs ({@code manager}, {@code engine-<id>}, {@code cli}),
 * MILLIS is the caller's clock and NONCE 16 fresh random bytes. The server ({@link GrpcAuthServer})
 * accepts a call when the MAC matches, the time is within {@link #WINDOW_MILLIS} of its own clock
 * and the nonce was not seen within that window: a header seen on the wire cannot be used again,
 * nor for another method. The check costs one HMAC per call and no round trip, which suits
 * control calls (data never goes through gRPC except rebuild streams, which are one call each).
 * Clocks of the nodes must agree within the window, as they do under NTP.
 */
public final class GrpcAuth {
    /** The metadata header. */
    public static final Metadata.Key<String> HEADER = Metadata.Key.of("longhorn-auth", Metadata.ASCII_STRING_MARSHALLER);
    /** How far a caller's clock may be from the server's, either way. */
    public static final long WINDOW_MILLIS = 120_000;
    static final String VERSION = "v1";
    static final Pattern WHO = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
    private static final byte[] LABEL = VolumeSecret.utf8("longhorn-grpc/1");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private GrpcAuth() {
    }

    /** The header value for one call of {@code method} at {@code millis}. */
    public static String header(VolumeSecret secret, String method, String who, long millis) {
        if (!WHO.matcher(who).matches()) {
            throw new IllegalArgumentException("caller name '" + who + "' must be 1-128 of A-Z a-z 0-9 . _ : @ -");
        }
        String nonce = B64.encodeToString(VolumeSecret.randomBytes(16));
        byte[] mac = mac(secret, method, who, Long.toString(millis), nonce);
        return VERSION + ";" + who + ";" + millis + ";" + nonce + ";" + B64.encodeToString(mac);
    }

    static byte[] mac(VolumeSecret secret, String method, String who, String millis, String nonce) {
        return secret.mac(LABEL, VolumeSecret.utf8(method), VolumeSecret.utf8(who), VolumeSecret.utf8(millis),
                VolumeSecret.utf8(nonce));
    }

    /**
     * A client interceptor that signs every call with the secret {@code secret} supplies at that
     * moment; calls go unsigned while it supplies null (an instance started without a secret).
     */
    public static ClientInterceptor client(String who, Supplier<VolumeSecret> secret) {
        return client(who, secret, Clock.systemUTC());
    }

    static ClientInterceptor client(String who, Supplier<VolumeSecret> secret, Clock clock) {
        if (!WHO.matcher(who).matches()) {
            throw new IllegalArgumentException("caller name '" + who + "' must be 1-128 of A-Z a-z 0-9 . _ : @ -");
        }
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        VolumeSecret s = secret.get();
                        if (s != null) {
                            headers.put(HEADER, header(s, method.getFullMethodName(), who, clock.millis()));
                        }
                        super.start(listener, headers);
                    }
                };
            }
        };
    }

    /** A client interceptor with one fixed secret (null: unsigned calls). */
    public static ClientInterceptor client(String who, VolumeSecret secret) {
        return client(who, () -> secret);
    }
}
