package io.longhorn.backupstore.testing;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server on a free loopback port: S3Proxy over jclouds' in-memory ("transient") blob
 * store, with AWS signature authentication. Start it in a test and stop it in a finally block.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "longhorn-test-access";
    public static final String SECRET_KEY = "longhorn-test-secret";

    private final BlobStoreContext context;
    private final S3Proxy proxy;
    private final boolean tls;

    private S3ProxyServer(BlobStoreContext context, S3Proxy proxy, boolean tls) {
        this.context = context;
        this.proxy = proxy;
        this.tls = tls;
    }

    /** Starts a server holding the given (empty) buckets. */
    public static S3ProxyServer start(String... buckets) throws Exception {
        return start(null, null, buckets);
    }

    /**
     * Starts a server that speaks only https, with the key and certificate of a PKCS#12 key store
     * (its key protected by the store's password).
     */
    public static S3ProxyServer startTls(Path keyStore, String password, String... buckets) throws Exception {
        return start(keyStore, password, buckets);
    }

    private static S3ProxyServer start(Path keyStore, String password, String... buckets) throws Exception {
        Properties props = new Properties();
        BlobStoreContext context = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .overrides(props).build(BlobStoreContext.class);
        for (String b : buckets) {
            context.getBlobStore().createContainerInLocation(null, b);
        }
        S3Proxy.Builder builder = S3Proxy.builder().blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY);
        if (keyStore == null) {
            builder.endpoint(URI.create("http://127.0.0.1:0"));
        } else {
            builder.secureEndpoint(URI.create("https://127.0.0.1:0")).keyStore(keyStore.toString(), password);
        }
        S3Proxy proxy;
        try {
            proxy = builder.build();
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
        try {
            proxy.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(proxy.getState()));
        } catch (Exception | Error e) {
            proxy.stop();
            context.close();
            throw e;
        }
        return new S3ProxyServer(context, proxy, keyStore != null);
    }

    public String endpoint() {
        return tls ? "https://127.0.0.1:" + proxy.getSecurePort() : "http://127.0.0.1:" + proxy.getPort();
    }

    /** The backup target secret for this server, in Longhorn's key names. */
    public Map<String, String> credentials() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_ENDPOINTS",
                endpoint());
    }

    /** Keys in a bucket, for checking that nothing was written. */
    public long objectCount(String bucket) {
        return context.getBlobStore().countBlobs(bucket);
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }
}
