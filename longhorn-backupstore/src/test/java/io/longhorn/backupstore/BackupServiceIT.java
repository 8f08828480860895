package io.longhorn.backupstore;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longhorn.api.auth.GrpcAuth;
import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.api.backup.BackupRequest;
import io.longhorn.api.backup.BackupServiceGrpc;
import io.longhorn.api.backup.CopyRequest;
import io.longhorn.api.backup.CreateBackupRequest;
import io.longhorn.api.backup.Job;
import io.longhorn.api.backup.JobKind;
import io.longhorn.api.backup.JobRequest;
import io.longhorn.api.backup.JobState;
import io.longhorn.api.backup.ListBackupVolumesRequest;
import io.longhorn.api.backup.ListJobsRequest;
import io.longhorn.api.backup.RestoreRequest;
import io.longhorn.api.backup.Target;
import io.longhorn.backupstore.driver.file.FileDriver;
import io.longhorn.backupstore.format.Compression;
import io.longhorn.backupstore.format.Layout;
import io.longhorn.backupstore.restore.FileRestoreTarget;
import io.longhorn.backupstore.store.VolumeStore;
import io.longhorn.backupstore.testing.Launchers;
import io.longhorn.backupstore.testing.TestVolume;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC backup service ({@code bin/longhorn-backup serve}) driven by a gRPC client. */
class BackupServiceIT {
    static final long MiB = 1024 * 1024;
    private static Process server;
    private static String address;
    private static ManagedChannel channel;
    private static BackupServiceGrpc.BackupServiceBlockingStub stub;
    private static VolumeSecret secret;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startService() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        secret = VolumeSecret.createIfMissing(tmp.resolve("secret"));
        server = Launchers.builder(Map.of(), "longhorn-backup", List.of("serve", "--listen", "127.0.0.1:" + port,
                        "--secret-file", tmp.resolve("secret").toString()))
                .redirectError(tmp.resolve("service.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertEquals("backup service ready: grpc=127.0.0.1:" + port, line,
                () -> Files.exists(tmp.resolve("service.log")) ? read(tmp.resolve("service.log")) : "");
        address = "127.0.0.1:" + port;
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .intercept(GrpcAuth.client("test", () -> secret)).build();
        stub = BackupServiceGrpc.newBlockingStub(channel);
    }

    private static String secretPath() {
        return tmp.resolve("secret").toString();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return e.toString();
        }
    }

    @AfterAll
    static void stopService() throws Exception {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static Target target(Path dir) {
        return Target.newBuilder().setUrl("file://" + dir).build();
    }

    private static Job finished(Job started) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> stub.getJob(
                JobRequest.newBuilder().setId(started.getId()).build()).getState().getNumber() >= JobState.COMPLETED_VALUE);
        return stub.getJob(JobRequest.newBuilder().setId(started.getId()).build());
    }

    @Test
    void callsThatCannotProveTheServiceSecretAreRefusedAndChangeNothing() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("rogue"));
        TestVolume v = TestVolume.create(tmp.resolve("v-rogue"), 16 * MiB).writeRandom(0, (int) MiB, 9).snapshot("s1");
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        VolumeSecret wrong = VolumeSecret.generate();
        for (ManagedChannel rogue : List.of(ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build(),
                ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                        .intercept(GrpcAuth.client("rogue", () -> wrong)).build())) {
            try {
                var r = BackupServiceGrpc.newBlockingStub(rogue);
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> r.createBackup(
                        CreateBackupRequest.newBuilder().setTarget(target(dir)).setReplicaAddress("dir://" + v.dir())
                                .setVolumeName("rogue").setSnapshotName("s1").build()));
                assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), e.getMessage());
                assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
                        () -> r.listJobs(ListJobsRequest.getDefaultInstance())).getStatus().getCode());
                assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class, () -> r.copy(
                        CopyRequest.newBuilder().setSourceReplicaAddress("dir://" + v.dir()).setSnapshotName("s1")
                                .setVolumeName("rogue").addReplicaAddresses("file://" + dir.resolve("copy.img"))
                                .build())).getStatus().getCode());
            } finally {
                rogue.shutdownNow();
            }
        }
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "nothing written to the target");
        }
        assertTrue(stub.listJobs(ListJobsRequest.getDefaultInstance()).getJobsList().stream()
                .noneMatch(j -> j.getVolumeName().equals("rogue")), "no job started");
        assertTrue(stub.listBackupVolumes(ListBackupVolumesRequest.newBuilder().setTarget(target(dir)).build())
                .getAuthRefusals() >= 4, "the refusals are counted (the manager reads them for /metrics)");
    }

    @Test
    void aCopyJobCopiesASnapshotIntoTheTargetWithNoBackupTarget() throws Exception {
        TestVolume v = TestVolume.create(tmp.resolve("v-copy"), 32 * MiB).writeRandom(0, (int) (5 * MiB), 4)
                .snapshot("s1").writeRandom(0, (int) MiB, 5);
        Path image = tmp.resolve("copied.img");
        Job copy = finished(stub.copy(CopyRequest.newBuilder().setSourceReplicaAddress("dir://" + v.dir())
                .setSnapshotName("s1").setVolumeName("copied").addReplicaAddresses("file://" + image).build()));
        assertEquals(JobState.COMPLETED, copy.getState(), copy.getError());
        assertEquals(JobKind.COPY, copy.getKind());
        assertEquals("s1", copy.getSnapshotName());
        assertEquals(100, copy.getProgress());
        assertEquals(3, copy.getBlocksDone());
        assertEquals(v.contentSha("s1"), TestVolume.sha256(image, v.size()));

        Job refused = finished(stub.copy(CopyRequest.newBuilder().setSourceReplicaAddress("dir://" + v.dir())
                .setSnapshotName("s1").setVolumeName("copied").addReplicaAddresses("file://" + image).build()));
        assertEquals(JobState.FAILED, refused.getState());
        assertTrue(refused.getError().contains("is not empty"), refused.getError());
        assertFalse(refused.getTargetIncomplete(), "nothing was written");
    }

    @Test
    void aBackupJobAndARestoreJobRunToCompletionThroughTheService() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("t1"));
        TestVolume v = TestVolume.create(tmp.resolve("v1"), 32 * MiB).writeRandom(0, (int) (6 * MiB), 1)
                .snapshot("s1");
        Job backup = finished(stub.createBackup(CreateBackupRequest.newBuilder().setTarget(target(dir))
                .setReplicaAddress("dir://" + v.dir()).setVolumeName("vol1").setSnapshotName("s1")
                .putLabels("k", "v").setConcurrency(3).build()));
        assertEquals(JobState.COMPLETED, backup.getState(), backup.getError());
        assertEquals(100, backup.getProgress());
        assertEquals(3, backup.getBlocksDone());
        assertTrue(backup.getBackupUrl().startsWith("file://" + dir + "?backup=backup-"), backup.getBackupUrl());

        var volumes = stub.listBackupVolumes(ListBackupVolumesRequest.newBuilder().setTarget(target(dir)).build());
        assertEquals("vol1", volumes.getVolumes(0).getName());
        assertEquals(backup.getBackupUrl(), volumes.getVolumes(0).getBackups(0).getUrl());
        var info = stub.inspectBackup(BackupRequest.newBuilder().setBackupUrl(backup.getBackupUrl()).build());
        assertEquals("s1", info.getSnapshotName());
        assertEquals(Map.of("k", "v"), info.getLabelsMap());
        assertEquals(32 * MiB, info.getVolumeSize());

        Path image = tmp.resolve("restored.img");
        Job restore = finished(stub.restore(RestoreRequest.newBuilder().setBackupUrl(backup.getBackupUrl())
                .addReplicaAddresses("file://" + image).build()));
        assertEquals(JobState.COMPLETED, restore.getState(), restore.getError());
        assertEquals(v.contentSha("s1"), TestVolume.sha256(image, v.size()));
        assertTrue(stub.listJobs(ListJobsRequest.getDefaultInstance()).getJobsList().stream()
                .anyMatch(j -> j.getId().equals(restore.getId())));

        var deleted = stub.deleteBackup(BackupRequest.newBuilder().setBackupUrl(backup.getBackupUrl()).build());
        assertEquals(3, deleted.getBlocksDeleted());
    }

    @Test
    void aRestoreJobOfACorruptBackupFailsNamingTheBlockAndMarksTheTargetFailed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("t2"));
        TestVolume v = TestVolume.create(tmp.resolve("v2"), 16 * MiB).writeRandom(0, (int) (4 * MiB), 2)
                .snapshot("s1");
        Job backup = finished(stub.createBackup(CreateBackupRequest.newBuilder().setTarget(target(dir))
                .setReplicaAddress("dir://" + v.dir()).setVolumeName("vol2").setSnapshotName("s1").build()));
        FileDriver driver = new FileDriver(dir, "file://" + dir);
        String victim = new VolumeStore(driver, "vol2").backup(backup.getBackupName()).blocks().getFirst()
                .blockChecksum();
        String victimPath = Layout.blockPath("vol2", victim);
        byte[] good = driver.read(victimPath);
        driver.write(victimPath, Compression.LZ4.compress(new byte[4096], 4096));

        Path image = tmp.resolve("corrupt.img");
        Job restore = finished(stub.restore(RestoreRequest.newBuilder().setBackupUrl(backup.getBackupUrl())
                .addReplicaAddresses("file://" + image).build()));
        assertEquals(JobState.FAILED, restore.getState());
        assertTrue(restore.getError().contains("block " + victim) && restore.getError().contains(backup.getBackupName()),
                restore.getError());
        assertTrue(restore.getTargetIncomplete(), "the job says the target holds partial content");
        assertTrue(Files.exists(FileRestoreTarget.failureMarker(image)));

        // Once the block is repaired, a plain retry is still refused (nothing written) ...
        driver.write(victimPath, good);
        Job retry = finished(stub.restore(RestoreRequest.newBuilder().setBackupUrl(backup.getBackupUrl())
                .addReplicaAddresses("file://" + image).build()));
        assertEquals(JobState.FAILED, retry.getState());
        assertTrue(retry.getError().contains("is marked failed"), retry.getError());
        assertFalse(retry.getTargetIncomplete(), "the refused retry wrote nothing");
        // ... and a deliberate overwrite restores the whole volume and clears the mark.
        Job overwrite = finished(stub.restore(RestoreRequest.newBuilder().setBackupUrl(backup.getBackupUrl())
                .addReplicaAddresses("file://" + image).setOverwrite(true).build()));
        assertEquals(JobState.COMPLETED, overwrite.getState(), overwrite.getError());
        assertEquals(v.contentSha("s1"), TestVolume.sha256(image, v.size()));
        assertFalse(Files.exists(FileRestoreTarget.failureMarker(image)));
    }

    @Test
    void aRunningBackupJobIsCancelledAndLeavesNoBackup() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("t3"));
        TestVolume v = TestVolume.create(tmp.resolve("v3"), 128 * MiB).writeRandom(0, (int) (128 * MiB), 3)
                .snapshot("s1");
        Job started = stub.createBackup(CreateBackupRequest.newBuilder().setTarget(target(dir))
                .setReplicaAddress("dir://" + v.dir()).setVolumeName("vol3").setSnapshotName("s1")
                .setCompressionMethod("gzip").setConcurrency(1).build());
        await().atMost(Duration.ofMinutes(1)).until(() -> stub.getJob(JobRequest.newBuilder().setId(started.getId())
                .build()).getBlocksDone() > 0);
        stub.cancelJob(JobRequest.newBuilder().setId(started.getId()).build());
        Job end = finished(started);
        assertEquals(JobState.CANCELLED, end.getState(), end.getError());
        assertTrue(end.getProgress() < 100);
        assertEquals(List.of(), new VolumeStore(new FileDriver(dir, "file://" + dir), "vol3").backupNames());
    }

    @Test
    void badRequestsGetStatusCodesThatNameTheProblem() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("t4"));
        StatusRuntimeException scheme = assertThrows(StatusRuntimeException.class, () -> stub.createBackup(
                CreateBackupRequest.newBuilder().setTarget(Target.newBuilder().setUrl("gopher://x"))
                        .setReplicaAddress("127.0.0.1:1").setSnapshotName("s1").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, scheme.getStatus().getCode());
        assertTrue(scheme.getStatus().getDescription().contains("gopher://x"));

        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> stub.inspectBackup(
                BackupRequest.newBuilder().setBackupUrl("file://" + dir + "?backup=backup-x&volume=vol1").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        assertTrue(missing.getStatus().getDescription().contains("backup backup-x of volume vol1 not found"));

        assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class, () -> stub.getJob(
                JobRequest.newBuilder().setId("backup-nope").build())).getStatus().getCode());

        // an unreachable replica fails the job, with the replica named
        Job unreachable = finished(stub.createBackup(CreateBackupRequest.newBuilder().setTarget(target(dir))
                .setReplicaAddress("127.0.0.1:1").setVolumeName("vol4").setSnapshotName("s1").build()));
        assertEquals(JobState.FAILED, unreachable.getState());
        assertTrue(unreachable.getError().contains("replica 127.0.0.1:1"), unreachable.getError());
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void theCommandLineRunsItsBackupsAndRestoresAsJobsOfTheService() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("t5"));
        TestVolume v = TestVolume.create(tmp.resolve("v5"), 16 * MiB).writeRandom(0, (int) (3 * MiB), 5)
                .snapshot("s1");
        var created = Launchers.backup(Map.of(), "create", "--service", address, "--service-secret-file", secretPath(), "--dest", "file://" + dir,
                "--replica", "dir://" + v.dir(), "--volume", "vol5", "s1");
        assertEquals(0, created.exitCode(), created.toString());
        assertTrue(created.stderr().contains(": full, 2 blocks read"), created.stderr());
        Path image = tmp.resolve("via-service.img");
        var restored = Launchers.backup(Map.of(), "restore", "--service", address, "--service-secret-file", secretPath(), created.stdout().trim(), "--to",
                "file://" + image);
        assertEquals(0, restored.exitCode(), restored.toString());
        assertEquals(v.contentSha("s1"), TestVolume.sha256(image, v.size()));

        var failed = Launchers.backup(Map.of(), "create", "--service", address, "--service-secret-file", secretPath(), "--dest", "file://" + dir,
                "--replica", "dir://" + v.dir(), "--volume", "vol5", "nope");
        assertEquals(8, failed.exitCode(), failed.toString());
        assertTrue(failed.stderr().contains("failed: snapshot nope not found"), failed.stderr());

        var refused = Launchers.backup(Map.of(), "create", "--service", address, "--dest", "file://" + dir,
                "--replica", "dir://" + v.dir(), "--volume", "vol5", "s1");
        assertEquals(4, refused.exitCode(), "access denied without the service's secret: " + refused);
        assertTrue(refused.stderr().contains("UNAUTHENTICATED") && refused.stderr().contains("--service-secret-file"),
                refused.stderr());
    }
}
