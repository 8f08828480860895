package io.longhorn.backupstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.driver.BackupTargets;
import io.longhorn.backupstore.driver.DriverOptions;
import io.longhorn.backupstore.error.AccessDeniedException;
import io.longhorn.backupstore.error.NotFoundException;
import io.longhorn.backupstore.error.TargetIOException;
import io.longhorn.backupstore.format.Layout;
import io.longhorn.backupstore.testing.S3ProxyServer;
import io.longhorn.backupstore.testing.TestVolume;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The backup scenarios against a real S3 server (S3Proxy on loopback), plus S3's own failures. */
class S3BackupIT extends BackupScenarios {
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static S3ProxyServer s3;

    @BeforeAll
    static void startS3() throws Exception {
        String[] buckets = new String[20];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = "backups-" + i;
        }
        s3 = S3ProxyServer.start(buckets);
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    /** Each test gets its own empty bucket, and a path prefix as Longhorn targets often have. */
    @Override
    BackupStoreDriver openTarget() {
        String bucket = "backups-" + BUCKETS.getAndIncrement();
        return BackupTargets.open("s3://" + bucket + "@us-east-1/cluster-a/",
                DriverOptions.defaults().withCredentials(s3.credentials()));
    }

    @Test
    void aBucketThatDoesNotExistIsAClearErrorAndNothingIsWritten() {
        NotFoundException e = assertThrows(NotFoundException.class, () -> BackupTargets.open(
                "s3://no-such-bucket@us-east-1/x", DriverOptions.defaults().withCredentials(s3.credentials())));
        assertTrue(e.getMessage().contains("bucket no-such-bucket does not exist at S3 endpoint " + s3.endpoint()),
                e.getMessage());
    }

    @Test
    void wrongCredentialsAreAClearErrorAndNothingIsWritten() throws Exception {
        Map<String, String> wrong = new HashMap<>(s3.credentials());
        wrong.put("AWS_SECRET_ACCESS_KEY", "not-the-secret");
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> BackupTargets.open(
                "s3://backups-19@us-east-1/x", DriverOptions.defaults().withCredentials(wrong)));
        assertTrue(e.getMessage().contains("denied access to bucket backups-19"), e.getMessage());
        assertTrue(e.getMessage().contains("AWS_ACCESS_KEY_ID"), e.getMessage());
        assertEquals(0, s3.objectCount("backups-19"));
    }

    @Test
    void anUnreachableEndpointIsAClearError() {
        Map<String, String> creds = new HashMap<>(s3.credentials());
        creds.put("AWS_ENDPOINTS", "http://127.0.0.1:1");
        TargetIOException e = assertThrows(TargetIOException.class, () -> BackupTargets.open(
                "s3://backups-19@us-east-1/x", DriverOptions.defaults().withCredentials(creds)));
        assertTrue(e.getMessage().contains("S3 endpoint http://127.0.0.1:1 failed"), e.getMessage());
    }

    @Test
    void theLayoutInTheBucketIsLonghorns() throws Exception {
        try (BackupStoreDriver target = openTarget()) {
            TestVolume v = firstSnapshot("vol1");
            String b = backup(target, v, "vol1", "s1", 2).backupName();
            assertTrue(target.exists(Layout.volumeCfg("vol1")));
            assertTrue(target.exists(Layout.backupCfg("vol1", b)));
            assertEquals(4, target.listFiles(Layout.blocksDir("vol1")).size());
            assertTrue(target.listFiles(Layout.blocksDir("vol1")).stream().allMatch(p -> p.endsWith(".blk")));
        }
    }
}
