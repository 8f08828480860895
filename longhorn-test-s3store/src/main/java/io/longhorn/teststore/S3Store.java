package io.longhorn.teststore;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A small S3 server for trying backups on a test cluster: S3Proxy over a directory
 * ({@code S3_STORAGE}, default {@code /storage}), with AWS signature authentication by the key pair
 * in {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} (the backup target Secret's
 * keys), listening on {@code S3_LISTEN} (default {@code 0.0.0.0:9000}). The buckets named in
 * {@code S3_BUCKETS} (comma-separated, default {@code backupbucket}) exist from the start.
 */
public final class S3Store {
    private S3Store() {
    }

    public static void main(String[] args) throws Exception {
        String accessKey = required("AWS_ACCESS_KEY_ID");
        String secretKey = required("AWS_SECRET_ACCESS_KEY");
        Path storage = Path.of(env("S3_STORAGE", "/storage"));
        String listen = env("S3_LISTEN", "0.0.0.0:9000");
        Files.createDirectories(storage);
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", storage.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem").credentials("identity", "credential")
                .overrides(props).build(BlobStoreContext.class);
        for (String bucket : env("S3_BUCKETS", "backupbucket").split(",")) {
            if (!bucket.isBlank()) {
                context.getBlobStore().createContainerInLocation(null, bucket.strip());
            }
        }
        S3Proxy proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://" + listen))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey).build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                proxy.stop();
            } catch (Exception e) {
                // stopping anyway
            }
            context.close();
        }));
        proxy.start();
        System.out.println("S3 store serving http://" + listen + " from " + storage);
    }

    private static String required(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            System.err.println("s3store: set " + name + " (the backup target Secret's key)");
            System.exit(2);
        }
        return v;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
