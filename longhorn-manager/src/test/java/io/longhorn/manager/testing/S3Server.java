package io.longhorn.manager.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * S3Proxy on a free loopback port over an in-memory blob store, with AWS signatures and one bucket;
 * plain http, or https with a self-signed certificate for 127.0.0.1 made by the JDK's keytool.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "manager-it-access";
    public static final String SECRET_KEY = "manager-it-secret";

    private final BlobStoreContext context;
    private final S3Proxy proxy;
    private final String certificatePem;

    private S3Server(BlobStoreContext context, S3Proxy proxy, String certificatePem) {
        this.context = context;
        this.proxy = proxy;
        this.certificatePem = certificatePem;
    }

    public static S3Server start(String bucket) throws Exception {
        return start(bucket, null, null, null);
    }

    /**
     * Starts a server that speaks only https, with a new self-signed certificate for 127.0.0.1
     * whose key store is made in {@code dir}; {@link #certificatePem()} is the certificate.
     */
    public static S3Server startTls(String bucket, Path dir) throws Exception {
        Files.createDirectories(dir);
        Path store = dir.resolve("s3-server.p12");
        String password = "changeit-s3-server";
        keytool(dir, "-genkeypair", "-alias", "s3-server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=s3-server", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", password, "-keypass", password);
        String pem = keytool(dir, "-exportcert", "-rfc", "-alias", "s3-server", "-keystore", store.toString(),
                "-storepass", password);
        return start(bucket, store, password, pem);
    }

    private static S3Server start(String bucket, Path keyStore, String password, String pem) throws Exception {
        BlobStoreContext context = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, bucket);
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
        return new S3Server(context, proxy, pem);
    }

    private static String keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "keytool-", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("keytool " + args[0] + " did not finish");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + text);
            }
            return text;
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    public String endpoint() {
        return certificatePem != null ? "https://127.0.0.1:" + proxy.getSecurePort() : "http://127.0.0.1:" + proxy.getPort();
    }

    /** The PEM certificate of a TLS server (what {@code AWS_CERT} holds to trust it); null for plain http. */
    public String certificatePem() {
        return certificatePem;
    }

    /** The backup target secret's keys, as Longhorn names them. */
    public Map<String, String> credentials() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_ENDPOINTS", endpoint());
    }

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
