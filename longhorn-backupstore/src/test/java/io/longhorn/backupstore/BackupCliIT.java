package io.longhorn.backupstore;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.driver.BackupTargets;
import io.longhorn.backupstore.driver.DriverOptions;
import io.longhorn.backupstore.driver.file.FileDriver;
import io.longhorn.backupstore.format.Checksums;
import io.longhorn.backupstore.format.Compression;
import io.longhorn.backupstore.format.Layout;
import io.longhorn.backupstore.store.VolumeStore;
import io.longhorn.backupstore.testing.Launchers;
import io.longhorn.backupstore.testing.Launchers.Result;
import io.longhorn.backupstore.testing.S3ProxyServer;
import io.longhorn.backupstore.testing.TestVolume;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/longhorn-backup} as a process, against a directory target and a replica directory. */
class BackupCliIT {
    static final long MiB = 1024 * 1024;

    @TempDir
    Path tmp;

    private Path target() throws Exception {
        return Files.createDirectories(tmp.resolve("target"));
    }

    private static Result ok(Result r) {
        assertEquals(0, r.exitCode(), r.toString());
        return r;
    }

    @Test
    void theCommandLineBacksUpListsInspectsRestoresAndDeletes() throws Exception {
        Path target = target();
        String url = "file://" + target;
        TestVolume v = TestVolume.create(tmp.resolve("vol1-0a1b2c3d"), 32 * MiB)
                .writeRandom(0, (int) (4 * MiB), 1).fill(20 * MiB, (int) MiB, 7).snapshot("s1");
        // the volume name comes from the replica directory's name
        String b1 = ok(Launchers.backup(Map.of(), "create", "--dest", url, "--replica", "dir://" + v.dir(),
                "--label", "app=db", "s1")).stdout().trim();
        assertTrue(b1.startsWith(url + "?backup=backup-") && b1.endsWith("&volume=vol1"), b1);

        v.writeRandom(8 * MiB, (int) MiB, 2).snapshot("s2");
        Result second = ok(Launchers.backup(Map.of(), "create", "--dest", url, "--replica", "dir://" + v.dir(),
                "--volume", "vol1", "--name", "backup-second", "--workers", "3", "s2"));
        String b2 = second.stdout().trim();
        assertTrue(second.stderr().contains("backup backup-second of snapshot s2: incremental"), second.stderr());
        assertTrue(second.stderr().contains("backup s2: 100%"), second.stderr());

        String table = ok(Launchers.backup(Map.of(), "ls", url)).stdout();
        assertTrue(table.contains("backup-second") && table.contains(" s1 ") && table.contains("incremental"), table);
        JsonNode listed = new ObjectMapper().readTree(ok(Launchers.backup(Map.of(), "ls", url, "--json")).stdout());
        assertEquals("vol1", listed.get(0).get("Name").asText());
        assertEquals(2, listed.get(0).get("Backups").size());

        JsonNode inspected = new ObjectMapper().readTree(ok(Launchers.backup(Map.of(), "inspect", b1)).stdout());
        assertEquals("s1", inspected.get("SnapshotName").asText());
        assertEquals("db", inspected.get("Labels").get("app").asText());
        assertEquals(b1, inspected.get("URL").asText());
        assertFalse(inspected.has("Blocks"));

        Path r1 = tmp.resolve("r1.img");
        Path r2 = tmp.resolve("r2.img");
        ok(Launchers.backup(Map.of(), "restore", b1, "--to", "file://" + r1));
        ok(Launchers.backup(Map.of(), "restore", b2, "--to", "file://" + r2, "--workers", "4"));
        assertEquals(v.contentSha("s1"), TestVolume.sha256(r1, v.size()));
        assertEquals(v.contentSha("s2"), TestVolume.sha256(r2, v.size()));
        // a standby copy of s1 catches up to s2 incrementally
        Result inc = ok(Launchers.backup(Map.of(), "restore", b2, "--to", "file://" + r1, "--last-restored",
                b1.substring(b1.indexOf("backup=") + 7, b1.indexOf('&'))));
        assertTrue(inc.stderr().contains("incrementally: 1 blocks written"), inc.stderr());
        assertEquals(v.contentSha("s2"), TestVolume.sha256(r1, v.size()));

        ok(Launchers.backup(Map.of(), "rm", b1));
        assertEquals(3, Launchers.backup(Map.of(), "inspect", b1).exitCode());
        ok(Launchers.backup(Map.of(), "rm-volume", url, "vol1"));
        assertEquals("", ok(Launchers.backup(Map.of(), "ls", url, "--json")).stdout().replaceAll("[\\s\\[\\]]", ""));
    }

    @Test
    void badInputExitsWithAClearErrorItsCodeAndWritesNothing() throws Exception {
        Path target = target();
        String url = "file://" + target;
        TestVolume v = TestVolume.create(tmp.resolve("vol1"), 16 * MiB).writeRandom(0, 4096, 1).snapshot("s1");
        Result scheme = Launchers.backup(Map.of(), "ls", "ftp://host/x");
        assertEquals(2, scheme.exitCode(), scheme.toString());
        assertTrue(scheme.stderr().contains("error: unknown backup target scheme in \"ftp://host/x\""), scheme.stderr());

        Result noSnap = Launchers.backup(Map.of(), "create", "--dest", url, "--replica", "dir://" + v.dir(), "nope");
        assertEquals(3, noSnap.exitCode(), noSnap.toString());
        assertTrue(noSnap.stderr().contains("snapshot nope not found"), noSnap.stderr());

        Result noBackup = Launchers.backup(Map.of(), "restore", url + "?backup=backup-x&volume=vol1", "--to",
                "file://" + tmp.resolve("x.img"));
        assertEquals(3, noBackup.exitCode(), noBackup.toString());
        assertTrue(noBackup.stderr().contains("error: backup backup-x of volume vol1 not found in " + url),
                noBackup.stderr());
        assertTrue(Files.notExists(tmp.resolve("x.img")));

        Result usage = Launchers.backup(Map.of(), "create", "s1");
        assertEquals(2, usage.exitCode(), usage.toString());
        assertTrue(usage.stderr().contains("Missing required options"), usage.stderr());
        try (var s = Files.list(target)) {
            assertEquals(0, s.count(), "nothing written to the target");
        }

        try (S3ProxyServer s3 = S3ProxyServer.start("bucket")) {
            Map<String, String> env = new HashMap<>(s3.credentials());
            env.put("AWS_SECRET_ACCESS_KEY", "wrong");
            Result denied = Launchers.backup(env, "create", "--dest", "s3://bucket@us-east-1/p", "--replica",
                    "dir://" + v.dir(), "s1");
            assertEquals(4, denied.exitCode(), denied.toString());
            assertTrue(denied.stderr().contains("denied access to bucket bucket"), denied.stderr());
            Result noBucket = Launchers.backup(s3.credentials(), "ls", "s3://missing@us-east-1/p");
            assertEquals(3, noBucket.exitCode(), noBucket.toString());
            assertTrue(noBucket.stderr().contains("bucket missing does not exist"), noBucket.stderr());
            assertEquals(0, s3.objectCount("bucket"));
        }
    }

    @Test
    void aBackupKilledHalfwayIsNotListedLeavesNoCorruptStateAndTheNextBackupWorks() throws Exception {
        Path target = target();
        String url = "file://" + target;
        killHalfwayThenBackUpAgain(url, Map.of(), new FileDriver(target, url));
    }

    @Test
    void aBackupToS3KilledHalfwayIsNotListedLeavesNoCorruptStateAndTheNextBackupWorks() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start("killed");
             BackupStoreDriver driver = BackupTargets.open("s3://killed@us-east-1/cluster",
                     DriverOptions.defaults().withCredentials(s3.credentials()))) {
            killHalfwayThenBackUpAgain("s3://killed@us-east-1/cluster", s3.credentials(), driver);
        }
    }

    /** {@code driver} reads the target at {@code url}; {@code env} has its credentials. */
    private void killHalfwayThenBackUpAgain(String url, Map<String, String> env, BackupStoreDriver driver)
            throws Exception {
        TestVolume v = TestVolume.create(tmp.resolve("vol1"), 160 * MiB).writeRandom(0, (int) (160 * MiB), 5)
                .snapshot("s1");
        // gzip on random data with one worker: slow enough to be killed halfway
        Process p = Launchers.builder(env, "longhorn-backup", List.of("create", "--dest", url, "--replica",
                "dir://" + v.dir(), "--compression", "gzip", "--workers", "1", "s1")).start();
        AtomicInteger percent = new AtomicInteger();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    if (line.startsWith("backup s1: ") && line.endsWith("%")) {
                        percent.set(Integer.parseInt(line.substring(11, line.length() - 1)));
                    }
                }
            } catch (Exception ignored) {
                // process gone
            }
        });
        try {
            await().atMost(Duration.ofMinutes(2)).until(() -> percent.get() >= 20 || !p.isAlive());
            assertTrue(p.isAlive(), "the backup must still be running when killed");
            p.destroyForcibly(); // SIGKILL
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
            reader.join(5000);
        }
        assertEquals(128 + 9, p.exitValue(), "the backup process died of SIGKILL, it did not finish");

        VolumeStore vs = new VolumeStore(driver, "vol1");
        assertEquals(List.of(), vs.backupNames(), "no backup cfg: the killed backup does not exist");
        assertEquals("", vs.volumeConfig().orElseThrow().lastBackupName(), "volume.cfg names no last backup");
        int blocksBefore = vs.storedBlocks().size();
        assertTrue(blocksBefore > 0 && blocksBefore < 80, "some blocks were stored: " + blocksBefore);
        // no corrupt state: every block the killed process left is whole and holds what its name says
        byte[] buf = new byte[Layout.BLOCK_SIZE];
        for (String checksum : vs.storedBlocks()) {
            int n = Compression.GZIP.decompress(vs.readBlock(checksum), buf, "block " + checksum);
            assertEquals(Layout.BLOCK_SIZE, n);
            assertEquals(checksum, Checksums.blockChecksum(buf, 0, n));
        }
        Result listed = ok(Launchers.backup(env, "ls", url));
        assertTrue(listed.stdout().contains("(no backups)"), listed.stdout());
        assertEquals(1, driver.list(Layout.locksDir("vol1")).size(), "its lock stays until it expires");

        // the next backup is not blocked by the dead lock, reuses the stored blocks, and restores
        Result next = ok(Launchers.backup(env, "create", "--dest", url, "--replica", "dir://" + v.dir(), "s1"));
        assertTrue(next.stderr().contains(": full, 80 blocks, " + (80 - blocksBefore) + " new"), next.stderr());
        assertEquals(1, driver.list(Layout.locksDir("vol1")).size(), "the next backup removed its own lock");
        Path r = tmp.resolve("r-" + url.substring(0, 2) + ".img");
        ok(Launchers.backup(env, "restore", next.stdout().trim(), "--to", "file://" + r));
        assertEquals(v.contentSha("s1"), TestVolume.sha256(r, v.size()));
    }
}
