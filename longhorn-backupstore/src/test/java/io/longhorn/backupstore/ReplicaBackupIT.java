package io.longhorn.backupstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.backupstore.testing.Launchers;
import io.longhorn.backupstore.testing.Launchers.Result;
import io.longhorn.backupstore.testing.ReplicaProcess;
import io.longhorn.backupstore.testing.S3ProxyServer;
import io.longhorn.backupstore.testing.TestVolume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with real processes: replicas ({@code bin/longhorn-replica}) written through the data
 * protocol and snapshotted over gRPC, backed up with {@code bin/longhorn-backup create --replica}
 * to a directory and to S3 (S3Proxy), and restored into the two replicas of a new volume each time.
 */
class ReplicaBackupIT {
    static final long MiB = 1024 * 1024;
    static final long SIZE = 48 * MiB;

    @TempDir
    Path tmp;

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void snapshotsOfALiveReplicaBackUpIncrementallyAndRestoreIntoNewReplicasToDirectoryAndS3() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("target"));
        try (S3ProxyServer s3 = S3ProxyServer.start("backups");
             ReplicaProcess source = ReplicaProcess.start(tmp.resolve("replicas/vol1-00c0ffee"), SIZE)) {
            byte[] model = new byte[(int) SIZE];
            write(source, model, 0, random((int) (5 * MiB), 1));
            write(source, model, 30 * MiB, random((int) MiB, 2));
            source.snapshot("s1");
            String s1 = TestVolume.sha256(model, model.length);
            write(source, model, 2 * MiB, random((int) (256 * 1024), 3));
            write(source, model, 44 * MiB, random(8192, 4));
            source.snapshot("s2");
            String s2 = TestVolume.sha256(model, model.length);
            write(source, model, 0, random(4096, 5)); // in the head: in no backup

            for (String url : new String[] {"file://" + target, "s3://backups@us-east-1/cluster"}) {
                Map<String, String> env = s3.credentials();
                Result b1 = Launchers.backup(env, "create", "--dest", url, "--replica", source.control(), "s1");
                assertEquals(0, b1.exitCode(), b1.toString());
                assertTrue(b1.stderr().contains(": full, 4 blocks"), b1.stderr());
                Result b2 = Launchers.backup(env, "create", "--dest", url, "--replica", source.control(), "s2");
                assertEquals(0, b2.exitCode(), b2.toString());
                assertTrue(b2.stderr().contains(": incremental, 5 blocks, 2 new"), b2.stderr());
                assertTrue(b2.stdout().trim().endsWith("&volume=vol1"), b2.stdout());

                restoreAndCheck(env, b1.stdout().trim(), s1, url.startsWith("s3") ? "s3-1" : "file-1");
                restoreAndCheck(env, b2.stdout().trim(), s2, url.startsWith("s3") ? "s3-2" : "file-2");
            }
        }
    }

    private void write(ReplicaProcess replica, byte[] model, long offset, byte[] data) throws Exception {
        replica.write(offset, data);
        System.arraycopy(data, 0, model, (int) offset, data.length);
    }

    private void restoreAndCheck(Map<String, String> env, String backupUrl, String expectedSha, String name)
            throws Exception {
        try (ReplicaProcess a = ReplicaProcess.start(tmp.resolve("restored/" + name + "-a"), SIZE);
             ReplicaProcess b = ReplicaProcess.start(tmp.resolve("restored/" + name + "-b"), SIZE)) {
            Result r = Launchers.backup(env, "restore", backupUrl, "--to", a.control(), "--to", b.control(),
                    "--workers", "3");
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(expectedSha, a.sha256(SIZE), "replica a restored from " + backupUrl);
            assertEquals(expectedSha, b.sha256(SIZE), "replica b restored from " + backupUrl);
        }
    }
}
