package io.longhorn.backupstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longhorn.api.backup.BackupServiceGrpc;
import io.longhorn.api.backup.ListBackupVolumesRequest;
import io.longhorn.api.backup.Target;
import io.longhorn.backupstore.backup.BackupCreator;
import io.longhorn.backupstore.backup.BackupRequest;
import io.longhorn.backupstore.backup.BackupResult;
import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.driver.BackupTargets;
import io.longhorn.backupstore.driver.DriverOptions;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.TargetIOException;
import io.longhorn.backupstore.restore.FileRestoreTarget;
import io.longhorn.backupstore.restore.RestoreRequest;
import io.longhorn.backupstore.restore.Restorer;
import io.longhorn.backupstore.source.dir.DirectorySnapshotSource;
import io.longhorn.backupstore.store.BackupStore;
import io.longhorn.backupstore.testing.Launchers;
import io.longhorn.backupstore.testing.S3ProxyServer;
import io.longhorn.backupstore.testing.SelfSignedCertificate;
import io.longhorn.backupstore.testing.TestVolume;
import io.longhorn.backupstore.work.Cancellation;
import io.longhorn.backupstore.work.ProgressListener;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An S3 store that speaks https with a self-signed certificate (S3Proxy with a key store made by
 * keytool): not trusted by default, trusted with the certificate in {@code AWS_CERT}, in this
 * process, in the command line's environment, and in the credentials of a gRPC {@code Target}.
 */
class S3TlsIT {
    static final long MiB = 1024 * 1024;
    private static SelfSignedCertificate cert;
    private static SelfSignedCertificate stranger;
    private static S3ProxyServer s3;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startTlsStore() throws Exception {
        cert = SelfSignedCertificate.create(tmp.resolve("pki"), "s3-store");
        stranger = SelfSignedCertificate.create(tmp.resolve("pki"), "another-store");
        s3 = S3ProxyServer.startTls(cert.keyStore(), cert.password(), "plain", "trusted", "stranger", "garbage",
                "cli", "service");
        assertTrue(s3.endpoint().startsWith("https://127.0.0.1:"), s3.endpoint());
    }

    @AfterAll
    static void stopTlsStore() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    private static Map<String, String> withCert(String pem) {
        Map<String, String> creds = new HashMap<>(s3.credentials());
        creds.put("AWS_CERT", pem);
        return creds;
    }

    private static BackupStoreDriver open(String bucket, Map<String, String> creds) {
        return BackupTargets.open("s3://" + bucket + "@us-east-1/longhorn", DriverOptions.defaults().withCredentials(creds));
    }

    @Test
    void withoutAwsCertTheStoreIsNotTrustedAndNothingIsWritten() {
        TargetIOException e = assertThrows(TargetIOException.class, () -> open("plain", s3.credentials()));
        assertTrue(e.getMessage().contains("S3 endpoint " + s3.endpoint() + " failed"), e.getMessage());
        assertTrue(e.getMessage().contains("PKIX path building failed"), e.getMessage());
        assertTrue(e.getMessage().contains("put that CA's PEM certificate in AWS_CERT"), e.getMessage());
        assertEquals(0, s3.objectCount("plain"));
    }

    @Test
    void withAwsCertABackupGoesToTheStoreAndRestoresWhatTheVolumeHeld() throws Exception {
        TestVolume v = TestVolume.create(tmp.resolve("vol-trusted"), 16 * MiB).writeRandom(0, (int) (5 * MiB), 7)
                .fill(12 * MiB, (int) MiB, 0x42).snapshot("s1");
        BackupResult b;
        try (BackupStoreDriver target = open("trusted", withCert(cert.pem()));
             var source = new DirectorySnapshotSource(v.dir())) {
            b = BackupCreator.create(target, source, new BackupRequest("vol1", "s1", null, Map.of(), null, 2),
                    ProgressListener.NONE, new Cancellation());
        }
        assertEquals(4, b.blocksUploaded());
        assertTrue(s3.objectCount("trusted") > 4);

        Path image = tmp.resolve("trusted-restore.img");
        try (BackupStoreDriver target = open("trusted", withCert(cert.pem()));
             FileRestoreTarget t = FileRestoreTarget.open(image, v.size())) {
            assertEquals(List.of("vol1"), new BackupStore(target).list(Optional.empty()).stream()
                    .map(bv -> bv.config().name()).toList());
            Restorer.restore(target, new RestoreRequest("vol1", b.backupName(), null, false, 2), t,
                    ProgressListener.NONE, new Cancellation());
        }
        assertEquals(v.contentSha("s1"), TestVolume.sha256(image, v.size()));

        // the certificate is trusted by that target's client only: the process trusts the store no more than before
        assertThrows(TargetIOException.class, () -> open("trusted", s3.credentials()));
    }

    @Test
    void theCertificateOfAnotherStoreDoesNotMakeThisOneTrusted() {
        TargetIOException e = assertThrows(TargetIOException.class, () -> open("stranger", withCert(stranger.pem())));
        assertTrue(e.getMessage().contains("check that the certificate(s) in AWS_CERT"), e.getMessage());
        assertEquals(0, s3.objectCount("stranger"));
    }

    @Test
    void anInvalidAwsCertIsAClearErrorAndNothingIsWritten() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> open("garbage",
                withCert("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n")));
        assertTrue(e.getMessage().startsWith("invalid AWS_CERT: certificate 1 is not a valid X.509 certificate"),
                e.getMessage());
        assertEquals(0, s3.objectCount("garbage"));
    }

    @Test
    void theCommandLineTakesAwsCertFromItsEnvironment() throws Exception {
        TestVolume v = TestVolume.create(tmp.resolve("vol-cli"), 8 * MiB).writeRandom(0, (int) (3 * MiB), 8)
                .snapshot("s1");
        String url = "s3://cli@us-east-1/longhorn";
        Launchers.Result refused = Launchers.backup(s3.credentials(), "create", "--dest", url, "--replica",
                "dir://" + v.dir(), "--volume", "vol-cli", "s1");
        assertEquals(8, refused.exitCode(), refused.toString());
        assertTrue(refused.stderr().contains("AWS_CERT"), refused.stderr());
        assertEquals(0, s3.objectCount("cli"));

        Launchers.Result created = Launchers.backup(withCert(cert.pem()), "create", "--dest", url, "--replica",
                "dir://" + v.dir(), "--volume", "vol-cli", "s1");
        assertEquals(0, created.exitCode(), created.toString());
        Launchers.Result listed = Launchers.backup(withCert(cert.pem()), "ls", url);
        assertEquals(0, listed.exitCode(), listed.toString());
        assertTrue(listed.stdout().contains("vol-cli"), listed.stdout());
        Path image = tmp.resolve("cli-restore.img");
        Launchers.Result restored = Launchers.backup(withCert(cert.pem()), "restore", created.stdout().trim(),
                "--to", "file://" + image);
        assertEquals(0, restored.exitCode(), restored.toString());
        assertEquals(v.contentSha("s1"), TestVolume.sha256(image, v.size()));

        Launchers.Result invalid = Launchers.backup(withCert("garbage"), "ls", url);
        assertEquals(2, invalid.exitCode(), invalid.toString());
        assertTrue(invalid.stderr().contains("invalid AWS_CERT"), invalid.stderr());
    }

    @Test
    void theBackupServiceTrustsTheAwsCertOfEachRequestsTarget() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = tmp.resolve("service.log");
        // the service's own environment has no credentials: they come with each request
        Process server = Launchers.builder(Map.of(), "longhorn-backup", List.of("serve", "--listen", "127.0.0.1:" + port))
                .redirectError(log.toFile()).start();
        ManagedChannel channel = null;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("backup service ready: grpc=127.0.0.1:" + port, out.readLine(), () -> read(log));
            channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            var stub = BackupServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES);
            String url = "s3://service@us-east-1/longhorn";

            StatusRuntimeException untrusted = assertThrows(StatusRuntimeException.class, () -> stub.listBackupVolumes(
                    ListBackupVolumesRequest.newBuilder().setTarget(Target.newBuilder().setUrl(url)
                            .putAllCredentials(s3.credentials())).build()));
            assertEquals(Status.Code.UNAVAILABLE, untrusted.getStatus().getCode(), untrusted.getStatus().toString());
            assertTrue(untrusted.getStatus().getDescription().contains("AWS_CERT"), untrusted.getStatus().toString());

            StatusRuntimeException invalid = assertThrows(StatusRuntimeException.class, () -> stub.listBackupVolumes(
                    ListBackupVolumesRequest.newBuilder().setTarget(Target.newBuilder().setUrl(url)
                            .putAllCredentials(withCert("garbage"))).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode(), invalid.getStatus().toString());
            assertTrue(invalid.getStatus().getDescription().contains("invalid AWS_CERT"), invalid.getStatus().toString());

            assertEquals(0, stub.listBackupVolumes(ListBackupVolumesRequest.newBuilder().setTarget(
                    Target.newBuilder().setUrl(url).putAllCredentials(withCert(cert.pem()))).build()).getVolumesCount());
            assertEquals(0, s3.objectCount("service"));

            // the command line's --service mode sends its environment's AWS_CERT with the target
            TestVolume v = TestVolume.create(tmp.resolve("vol-service"), 8 * MiB).writeRandom(MiB, (int) MiB, 9)
                    .snapshot("s1");
            Launchers.Result created = Launchers.backup(withCert(cert.pem()), "create", "--service", "127.0.0.1:" + port,
                    "--dest", url, "--replica", "dir://" + v.dir(), "--volume", "vol-service", "s1");
            assertEquals(0, created.exitCode(), created + "\n--- service log\n" + read(log));
            var volumes = stub.listBackupVolumes(ListBackupVolumesRequest.newBuilder().setTarget(
                    Target.newBuilder().setUrl(url).putAllCredentials(withCert(cert.pem()))).build());
            assertEquals("vol-service", volumes.getVolumes(0).getName());
            assertFalse(volumes.getVolumes(0).getBackupsList().isEmpty());
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return e.toString();
        }
    }
}
