package io.longhorn.backupstore.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.backupstore.driver.file.FileDriver;
import io.longhorn.backupstore.error.LockedException;
import io.longhorn.backupstore.format.Json;
import io.longhorn.backupstore.format.Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupLockTest {
    @TempDir
    Path root;

    private FileDriver driver() {
        return new FileDriver(root, "file://" + root);
    }

    private void foreignLock(String id, LockType type, boolean acquired, Instant modified) throws IOException {
        FileDriver d = driver();
        String path = Layout.lockPath("vol1", id);
        d.write(path, Json.write(new LockFile("vol1", id, type.code(), acquired)));
        Files.setLastModifiedTime(root.resolve(path), FileTime.from(modified));
    }

    @Test
    void backupsAndRestoresShareTheLockButADeletionExcludesThem() {
        FileDriver d = driver();
        try (BackupLock a = BackupLock.acquire(d, "vol1", LockType.BACKUP);
             BackupLock b = BackupLock.acquire(d, "vol1", LockType.BACKUP)) {
            assertEquals(2, d.list(Layout.locksDir("vol1")).size());
            LockedException e = assertThrows(LockedException.class,
                    () -> BackupLock.acquire(d, "vol1", LockType.DELETION));
            assertTrue(e.getMessage().startsWith("backup volume vol1 is locked by a backup in progress"),
                    e.getMessage());
            assertEquals(2, d.list(Layout.locksDir("vol1")).size(), "the refused lock removed its file");
        }
        assertEquals(List.of(), d.list(Layout.locksDir("vol1")));
        try (BackupLock del = BackupLock.acquire(d, "vol1", LockType.DELETION)) {
            assertThrows(LockedException.class, () -> BackupLock.acquire(d, "vol1", LockType.BACKUP));
        }
    }

    @Test
    void anExpiredLockOfAKilledProcessIsRemovedAndDoesNotBlock() throws IOException {
        foreignLock("dead", LockType.BACKUP, true, Instant.now().minusSeconds(151));
        try (BackupLock del = BackupLock.acquire(driver(), "vol1", LockType.DELETION)) {
            assertFalse(Files.exists(root.resolve(Layout.lockPath("vol1", "dead"))));
        }
    }

    @Test
    void aFreshLockOfAnotherKindBlocksUntilItExpires() throws IOException {
        foreignLock("alive", LockType.BACKUP, true, Instant.now().minusSeconds(140));
        assertThrows(LockedException.class, () -> BackupLock.acquire(driver(), "vol1", LockType.DELETION));
        assertTrue(Files.exists(root.resolve(Layout.lockPath("vol1", "alive"))));
    }

    @Test
    void anOlderLockStillCheckingWinsAndANewerOneYields() throws IOException {
        foreignLock("older", LockType.DELETION, false, Instant.now().minusSeconds(5));
        assertThrows(LockedException.class, () -> BackupLock.acquire(driver(), "vol1", LockType.BACKUP));
        Files.delete(root.resolve(Layout.lockPath("vol1", "older")));
        foreignLock("newer", LockType.DELETION, false, Instant.now().plusSeconds(5));
        try (BackupLock mine = BackupLock.acquire(driver(), "vol1", LockType.BACKUP)) {
            assertTrue(Files.exists(root.resolve(Layout.lockPath("vol1", mine.id()))));
        }
    }
}
