package io.longhorn.backupstore.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.backupstore.driver.file.FileDriver;
import io.longhorn.backupstore.driver.s3.S3Location;
import io.longhorn.backupstore.driver.s3.S3Settings;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupTargetsTest {
    @TempDir
    Path tmp;

    @Test
    void anUnknownSchemeIsRejectedNamingTheUrlAndTheSupportedOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> BackupTargets.open("cifs://server/share", DriverOptions.defaults()));
        assertTrue(e.getMessage().contains("\"cifs://server/share\""), e.getMessage());
        assertTrue(e.getMessage().contains("s3://bucket@region/path"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> BackupTargets.open("/plain/path", DriverOptions.defaults()));
        assertThrows(InvalidInputException.class, () -> BackupTargets.open(" ", DriverOptions.defaults()));
    }

    @Test
    void aFileTargetMustBeAnExistingDirectoryAndNothingIsCreated() {
        Path missing = tmp.resolve("missing");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> BackupTargets.open("file://" + missing, DriverOptions.defaults()));
        assertTrue(e.getMessage().contains(missing + " does not exist"), e.getMessage());
        assertTrue(Files.notExists(missing));
        assertThrows(InvalidInputException.class, () -> BackupTargets.open("file://relative/dir", DriverOptions.defaults()));
    }

    @Test
    void s3UrlsNameBucketRegionAndPrefix() {
        S3Location l = S3Location.parse("s3://backups@us-east-1/cluster-a/");
        assertEquals("backups", l.bucket());
        assertEquals("us-east-1", l.region());
        assertEquals("cluster-a/backupstore/x", l.key("backupstore/x"));
        assertEquals("backupstore/x", l.relative("cluster-a/backupstore/x"));
        assertEquals("", S3Location.parse("s3://backups@us-east-1").prefix());
        assertThrows(InvalidInputException.class, () -> S3Location.parse("s3://backups/path"));
        assertThrows(InvalidInputException.class, () -> S3Location.parse("s3://Bad_Bucket@r/path"));
    }

    @Test
    void s3SettingsComeFromLonghornsSecretKeysAndNeverPrintTheSecret() {
        S3Settings s = S3Settings.from(Map.of("AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY", "s3cr3t",
                "AWS_ENDPOINTS", "http://minio:9000"));
        assertEquals("http://minio:9000", s.endpoint().toString());
        assertTrue(!s.toString().contains("s3cr3t"));
        assertThrows(InvalidInputException.class, () -> S3Settings.from(Map.of("AWS_ACCESS_KEY_ID", "id")));
        assertThrows(InvalidInputException.class, () -> S3Settings.from(Map.of("AWS_ENDPOINTS", "minio:9000")));
    }

    @Test
    void fileWritesAreAtomicRenamesAndTemporaryFilesAreNeverListed() throws Exception {
        FileDriver d = new FileDriver(tmp, "file://" + tmp);
        d.write("a/b/c.blk", new byte[] {1, 2, 3});
        Files.write(tmp.resolve("a/b/.d.blk.tmp-1234"), new byte[] {9}); // left by a killed writer
        assertEquals(List.of("c.blk"), d.list("a/b"));
        assertEquals(List.of("a/b/c.blk"), d.listFiles("a"));
        assertEquals(3, d.read("a/b/c.blk").length);
        assertThrows(NotFoundException.class, () -> d.read("a/b/none"));
        assertThrows(InvalidInputException.class, () -> d.read("../escape"));
        d.sync();
        d.deleteTree("a");
        assertTrue(Files.notExists(tmp.resolve("a")));
    }
}
