package io.longhorn.backupstore.driver.s3;

import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.error.AccessDeniedException;
import io.longhorn.backupstore.error.BackupStoreException;
import io.longhorn.backupstore.error.NotFoundException;
import io.longhorn.backupstore.error.TargetIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 target. One client per opened target; objects are written with single PUTs (a block is
 * at most a little over 2 MiB), which S3 makes visible atomically.
 */
public final class S3Driver implements BackupStoreDriver {
    private static final Logger LOG = Logger.getLogger(S3Driver.class);
    private static final int DELETE_BATCH = 1000;

    private final S3Location location;
    private final S3Settings settings;
    private final S3Client client;
    private volatile boolean multiDelete = true;

    private S3Driver(S3Location location, S3Settings settings, S3Client client) {
        this.location = location;
        this.settings = settings;
        this.client = client;
    }

    /**
     * Opens the target and checks that the bucket exists and accepts the credentials, before
     * anything is written.
     */
    public static S3Driver open(S3Location location, Map<String, String> credentials) {
        S3Settings settings = S3Settings.from(credentials);
        S3Client client = buildClient(location, settings);
        S3Driver driver = new S3Driver(location, settings, client);
        try {
            driver.call("check bucket", location.bucket(), () -> client.headBucket(b -> b.bucket(location.bucket())));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return driver;
    }

    /** A client configured as the driver's (also used by the benchmark's plain-copy baseline). */
    public static S3Client buildClient(S3Location location, S3Settings settings) {
        AwsCredentialsProvider creds = settings.accessKey() == null
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        var http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(120));
        if (!settings.caCertificates().isEmpty()) {
            // AWS_CERT: this client's own SSL context trusts the default CAs and the given ones;
            // the process's default SSL context and other targets' clients are left as they are.
            TrustManager[] trust = {CaCertificates.trustManager(settings.caCertificates())};
            http.tlsTrustManagersProvider(() -> trust);
        }
        var builder = S3Client.builder()
                .httpClientBuilder(http)
                .region(Region.of(location.region()))
                .credentialsProvider(creds)
                // Path-style and no flexible checksums: what S3-compatible servers (MinIO,
                // S3Proxy, Ceph) accept. Block integrity is checked end to end by its checksum.
                .forcePathStyle(true)
                // Multi-object delete needs a body checksum: send Content-MD5, which S3-compatible
                // servers know (the SDK may add a newer x-amz-checksum-* header some refuse; then
                // deleteAll falls back to single deletes).
                .addPlugin(LegacyMd5Plugin.create())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder()
                        .chunkedEncodingEnabled(false)
                        .build());
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    @Override
    public String url() {
        return location.url();
    }

    @Override
    public boolean exists(String path) {
        String key = location.key(path);
        try {
            call("stat", path, () -> client.headObject(h -> h.bucket(location.bucket()).key(key)));
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    @Override
    public byte[] read(String path) {
        String key = location.key(path);
        return call("read", path, () -> client.getObjectAsBytes(g -> g.bucket(location.bucket()).key(key))
                .asByteArray());
    }

    @Override
    public void write(String path, byte[] data) {
        String key = location.key(path);
        call("write", path, () -> client.putObject(p -> p.bucket(location.bucket()).key(key)
                .contentLength((long) data.length), RequestBody.fromBytes(data)));
    }

    @Override
    public void delete(String path) {
        String key = location.key(path);
        call("delete", path, () -> client.deleteObject(d -> d.bucket(location.bucket()).key(key)));
    }

    @Override
    public void deleteAll(Collection<String> paths) {
        List<String> all = new ArrayList<>(paths);
        for (int i = 0; i < all.size(); i += DELETE_BATCH) {
            List<String> batch = all.subList(i, Math.min(all.size(), i + DELETE_BATCH));
            if (!multiDelete || !deleteBatch(batch)) {
                batch.forEach(this::delete);
            }
        }
    }

    /** One multi-object delete; false when the server does not implement it. */
    private boolean deleteBatch(List<String> batch) {
        List<ObjectIdentifier> ids = batch.stream()
                .map(p -> ObjectIdentifier.builder().key(location.key(p)).build()).toList();
        DeleteObjectsResponse resp;
        try {
            resp = client.deleteObjects(d -> d.bucket(location.bucket())
                    .delete(Delete.builder().objects(ids).quiet(true).build()));
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            if (e.statusCode() == 501 || "NotImplemented".equals(code)) {
                LOG.debugf("%s: multi-object delete not supported, deleting one by one", url());
                multiDelete = false;
                return false;
            }
            throw translate("delete", ids.size() + " objects", e);
        } catch (SdkException e) {
            throw new TargetIOException("cannot delete " + ids.size() + " objects in " + url() + ": "
                    + e.getMessage(), e);
        }
        if (resp.hasErrors() && !resp.errors().isEmpty()) {
            var err = resp.errors().getFirst();
            throw new TargetIOException("cannot delete " + location.relative(err.key()) + " in " + url() + ": "
                    + err.code() + " " + err.message() + " (" + resp.errors().size() + " objects failed)");
        }
        return true;
    }

    @Override
    public void deleteTree(String dir) {
        deleteAll(listFiles(dir));
    }

    @Override
    public List<String> list(String dir) {
        String prefix = location.key(dir) + "/";
        TreeSet<String> names = new TreeSet<>();
        for (ListObjectsV2Response page : pages(prefix, "/")) {
            for (CommonPrefix cp : page.commonPrefixes()) {
                String name = cp.prefix().substring(prefix.length());
                if (name.endsWith("/")) {
                    name = name.substring(0, name.length() - 1);
                }
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
            for (S3Object o : page.contents()) {
                String name = o.key().substring(prefix.length());
                // some servers list directory markers (keys ending in '/'): not files
                if (!name.isEmpty() && !name.endsWith("/")) {
                    names.add(name);
                }
            }
        }
        return List.copyOf(names);
    }

    @Override
    public List<String> listFiles(String dir) {
        String prefix = location.key(dir) + "/";
        List<String> out = new ArrayList<>();
        for (ListObjectsV2Response page : pages(prefix, null)) {
            for (S3Object o : page.contents()) {
                if (!o.key().endsWith("/")) {
                    out.add(location.relative(o.key()));
                }
            }
        }
        out.sort(null);
        return out;
    }

    private Iterable<ListObjectsV2Response> pages(String prefix, String delimiter) {
        ListObjectsV2Request req = ListObjectsV2Request.builder().bucket(location.bucket()).prefix(prefix)
                .delimiter(delimiter).build();
        List<ListObjectsV2Response> out = new ArrayList<>();
        call("list", prefix, () -> {
            client.listObjectsV2Paginator(req).forEach(out::add);
            return null;
        });
        return out;
    }

    @Override
    public Instant lastModified(String path) {
        String key = location.key(path);
        return call("stat", path, () -> client.headObject(h -> h.bucket(location.bucket()).key(key)).lastModified());
    }

    @Override
    public void close() {
        client.close();
    }

    /** Runs one S3 call and turns its failure into a typed error naming bucket, path and endpoint. */
    private <T> T call(String op, String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (NoSuchKeyException e) {
            throw new NotFoundException(what + " does not exist in " + url());
        } catch (S3Exception e) {
            throw translate(op, what, e);
        } catch (SdkClientException e) {
            throw new TargetIOException("cannot " + op + " " + what + " in " + url() + ": S3 endpoint "
                    + settings.endpointDescription() + " failed: " + e.getMessage() + tlsHint(e), e);
        } catch (SdkException e) {
            throw new TargetIOException("cannot " + op + " " + what + " in " + url() + ": " + e.getMessage(), e);
        }
    }

    /** For a failed TLS handshake: what to check, since the SDK's message only says "PKIX path building failed". */
    private String tlsHint(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return settings.caCertificates().isEmpty()
                        ? " (TLS: if the store's certificate is self-signed or issued by a private CA, put that"
                                + " CA's PEM certificate in " + S3Settings.CERT + ")"
                        : " (TLS: check that the certificate(s) in " + S3Settings.CERT
                                + " are the CA the store's certificate chains to, and that the certificate names the"
                                + " endpoint's host)";
            }
        }
        return "";
    }

    private BackupStoreException translate(String op, String what, S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        int status = e.statusCode();
        if ("NoSuchBucket".equals(code) || (status == 404 && "check bucket".equals(op))) {
            return new NotFoundException("bucket " + location.bucket() + " does not exist at S3 endpoint "
                    + settings.endpointDescription() + " (target " + url() + ")");
        }
        if (status == 404) {
            return new NotFoundException(what + " does not exist in " + url());
        }
        if (status == 403 || status == 401) {
            return new AccessDeniedException("S3 endpoint " + settings.endpointDescription() + " denied access to bucket "
                    + location.bucket() + " (" + (code == null ? "status " + status : code)
                    + "): check " + S3Settings.ACCESS_KEY + " and " + S3Settings.SECRET_KEY);
        }
        return new TargetIOException("cannot " + op + " " + what + " in " + url() + ": "
                + (code == null ? "status " + status : code) + ": " + e.getMessage(), e);
    }

    @Override
    public String toString() {
        return url();
    }
}
