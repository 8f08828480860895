package io.longhorn.manager.controller.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackupUrlsTest {
    @Test
    void aBackupUrlRoundTrips() {
        String url = BackupUrls.of("s3://bucket@us-east-1/path", "backup-1", "vol1");
        assertEquals("s3://bucket@us-east-1/path?backup=backup-1&volume=vol1", url);
        var parsed = BackupUrls.parse(url).orElseThrow();
        assertEquals("s3://bucket@us-east-1/path", parsed.targetUrl());
        assertEquals("backup-1", parsed.backupName());
        assertEquals("vol1", parsed.volumeName());
    }

    @Test
    void urlsWithoutBackupOrVolumeAreNotBackupUrls() {
        assertTrue(BackupUrls.parse("file:///x").isEmpty());
        assertTrue(BackupUrls.parse("file:///x?backup=b").isEmpty());
        assertTrue(BackupUrls.parse("file:///x?volume=v&backup=").isEmpty());
    }

    @Test
    void goDurationsParseAsLonghornWritesThem() {
        assertEquals(Duration.ofMinutes(5), GoDuration.parse("5m0s").orElseThrow());
        assertEquals(Duration.ofSeconds(300), GoDuration.parse("300s").orElseThrow());
        assertEquals(Duration.ofHours(1).plusMinutes(30), GoDuration.parse("1h30m").orElseThrow());
        assertEquals(Duration.ZERO, GoDuration.parse("0").orElseThrow());
        assertTrue(GoDuration.parse("5 minutes").isEmpty());
        assertTrue(GoDuration.parse("").isEmpty());
    }
}
