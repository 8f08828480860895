package io.longhorn.backupstore.driver.nfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.driver.BackupTargets;
import io.longhorn.backupstore.driver.DriverOptions;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.TargetIOException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NFS driver with a fake mount step: no NFS server or kernel NFS client runs on the test
 * machines. The fake "mounts" by replacing the mount point directory with a symbolic link to a
 * directory standing for the export, so data written through the driver lands in the "export",
 * and the mount point is empty again after unmount.
 */
class NfsDriverTest {
    @TempDir
    Path tmp;

    /** Records mount(8) calls and simulates them with symbolic links. */
    static final class FakeMount implements MountCommand {
        final List<List<String>> calls = new ArrayList<>();
        final Path export;
        boolean fail;

        FakeMount(Path export) {
            this.export = export;
        }

        @Override
        public void mount(String source, Path mountPoint, String fsType, List<String> options) {
            calls.add(SystemMountCommand.mountArgv(source, mountPoint, fsType, options));
            if (fail) {
                throw new TargetIOException("cannot mount " + source + " on " + mountPoint
                        + ": mount.nfs4: Connection refused");
            }
            try {
                Files.delete(mountPoint);
                Files.createSymbolicLink(mountPoint, export);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void unmount(Path mountPoint) {
            calls.add(List.of("umount", mountPoint.toString()));
            try {
                Files.delete(mountPoint);
                Files.createDirectory(mountPoint);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean isMounted(Path mountPoint) {
            return Files.isSymbolicLink(mountPoint);
        }
    }

    private DriverOptions options(FakeMount fake) {
        return DriverOptions.defaults().withNfs(tmp.resolve("mounts"), DriverOptions.DEFAULT_NFS_MOUNT_OPTIONS, fake);
    }

    @Test
    void theExportIsMountedWithNfs4AndTheOptionsUsedAsADirectoryAndUnmountedWhenDone() throws IOException {
        Path export = Files.createDirectories(tmp.resolve("export"));
        FakeMount fake = new FakeMount(export);
        Path mountPoint = tmp.resolve("mounts/nfs.example.com_srv_backups");
        try (BackupStoreDriver d = BackupTargets.open("nfs://nfs.example.com:/srv/backups", options(fake))) {
            assertEquals(List.of("mount", "-t", "nfs4", "-o", "soft,timeo=300,retrans=3,actimeo=1",
                    "nfs.example.com:/srv/backups", mountPoint.toString()), fake.calls.getFirst());
            d.write("backupstore/volumes/x/y/vol1/volume.cfg", "{}".getBytes());
            // a second user of the same export shares the mount
            try (BackupStoreDriver second = BackupTargets.open("nfs://nfs.example.com:/srv/backups", options(fake))) {
                assertEquals(1, fake.calls.size());
                assertTrue(second.exists("backupstore/volumes/x/y/vol1/volume.cfg"));
            }
            assertEquals(1, fake.calls.size(), "still in use: not unmounted");
        }
        assertEquals(List.of("umount", mountPoint.toString()), fake.calls.getLast());
        assertTrue(Files.exists(export.resolve("backupstore/volumes/x/y/vol1/volume.cfg")), "written to the export");
        try (var s = Files.list(mountPoint)) {
            assertEquals(0, s.count(), "mount point is empty after unmount");
        }
    }

    @Test
    void urlOptionsReplaceTheDefaults() throws IOException {
        FakeMount fake = new FakeMount(Files.createDirectories(tmp.resolve("export")));
        try (BackupStoreDriver d = BackupTargets.open("nfs://10.0.0.5:/export?nfsOptions=vers=4.1,hard", options(fake))) {
            assertEquals(List.of("-o", "vers=4.1,hard"), fake.calls.getFirst().subList(3, 5));
        }
    }

    @Test
    void anExportMountedBeforeIsUsedAndLeftMounted() throws IOException {
        Path export = Files.createDirectories(tmp.resolve("export"));
        FakeMount fake = new FakeMount(export);
        Path mountPoint = tmp.resolve("mounts/srv_data");
        Files.createDirectories(mountPoint.getParent());
        Files.createSymbolicLink(mountPoint, export);
        try (BackupStoreDriver d = BackupTargets.open("nfs://srv:/data", options(fake))) {
            d.write("f", new byte[] {1});
        }
        assertEquals(List.of(), fake.calls);
        assertTrue(Files.isSymbolicLink(mountPoint));
    }

    @Test
    void aFailedMountIsAClearErrorAndNothingIsWritten() throws IOException {
        Path export = Files.createDirectories(tmp.resolve("export"));
        FakeMount fake = new FakeMount(export);
        fake.fail = true;
        TargetIOException e = assertThrows(TargetIOException.class,
                () -> BackupTargets.open("nfs://srv:/data", options(fake)));
        assertTrue(e.getMessage().contains("cannot mount srv:/data"), e.getMessage());
        try (var s = Files.list(export)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void badNfsUrlsAreRejected() {
        assertThrows(InvalidInputException.class, () -> NfsLocation.parse("nfs://server/path"));
        assertThrows(InvalidInputException.class, () -> NfsLocation.parse("nfs://srv:/a/../b"));
        assertThrows(InvalidInputException.class, () -> NfsLocation.parse("nfs://srv:/a?nfsOptions=x;rm"));
        assertEquals("srv:/a/b", NfsLocation.parse("nfs://srv:/a/b/").source());
    }

    @Test
    void mountinfoIsParsedForTheMountPoint() {
        String mountinfo = "36 35 98:0 / /mnt/with\\040space rw,noatime shared:1 - nfs4 srv:/x rw\n"
                + "37 35 98:0 / /var/lib/longhorn-backupstore-mounts/srv_x rw - nfs4 srv:/x rw\n";
        assertTrue(SystemMountCommand.isMountPointIn(mountinfo, Path.of("/mnt/with space")));
        assertTrue(SystemMountCommand.isMountPointIn(mountinfo, Path.of("/var/lib/longhorn-backupstore-mounts/srv_x")));
        assertFalse(SystemMountCommand.isMountPointIn(mountinfo, Path.of("/mnt")));
    }
}
