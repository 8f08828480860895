package io.longhorn.csi.userspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.csi.Exec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The userspace path's file against real parts: nbdkit serves a sparse file as the NBD export on a
 * Unix socket, {@link ExportFile} shows it through the kernel's FUSE, a loop device goes over it,
 * and ext4 is made, mounted, written, grown while mounted (the export's file is made larger, as an
 * engine grows its volume), trimmed, and checked afterwards in the export's file itself. Runs as
 * root (mount, loop devices); leaves no mount or loop device behind, even when it fails. The test
 * runs apart from the thread that cleans up: this JVM serves the file it reads, and a request that
 * is never answered can only end by aborting the FUSE connection (through {@code fusectl}, mounted
 * for that moment when the host has not).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExportFileIT {
    static final long MIB = 1 << 20;

    @TempDir
    Path dir;
    private Process nbdkit;
    private ExportFile export;
    private final List<List<String>> undo = new ArrayList<>();

    private Path backing;
    private Path mountPoint;
    private Path fsMount;
    private NbdEndpoint endpoint;

    @BeforeEach
    void serve() throws Exception {
        backing = dir.resolve("export.img");
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(64 * MIB);
        }
        Path socket = dir.resolve("nbd.sock");
        nbdkit = new ProcessBuilder("nbdkit", "-f", "-U", socket.toString(), "file", backing.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nbdkit.log").toFile()).start();
        for (int i = 0; i < 200 && !Files.exists(socket); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(socket), "nbdkit did not listen: " + Files.readString(dir.resolve("nbdkit.log")));
        endpoint = NbdEndpoint.parse("nbd+unix:///?socket=" + socket);
        mountPoint = Files.createDirectory(dir.resolve("fuse"));
        fsMount = Files.createDirectory(dir.resolve("fs"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (export != null) {
            // the test did not get to its end: every request still waiting fails first
            abortThroughFusectl();
        }
        for (int i = undo.size() - 1; i >= 0; i--) {
            Exec.run(undo.get(i), 60);
        }
        Exec.run(List.of("umount", mountPoint.toString()), 60);
        if (export != null) {
            export.close();
        }
        nbdkit.destroy();
        nbdkit.waitFor(10, TimeUnit.SECONDS);
    }

    private void abortThroughFusectl() {
        Path ctl = Path.of("/sys/fs/fuse/connections");
        boolean mounted = Exec.run(List.of("mountpoint", "-q", ctl.toString()), 10).ok();
        if (!mounted && !Exec.run(List.of("mount", "-t", "fusectl", "none", ctl.toString()), 10).ok()) {
            return;
        }
        try {
            export.abort();
        } finally {
            if (!mounted) {
                Exec.run(List.of("umount", ctl.toString()), 10);
            }
        }
    }

    private String sh(String... cmd) {
        Exec.Result r = Exec.run(List.of(cmd), 120);
        assertEquals(0, r.code(), String.join(" ", cmd) + ": " + r.output());
        return r.output().trim();
    }

    /**
     * xfs, since it grows while mounted with {@code CAP_SYS_ADMIN} alone; a mounted ext4 also needs
     * {@code CAP_SYS_RESOURCE}, which this machine's root may lack (the VM test grows ext4).
     */
    @Test
    void xfsOnALoopDeviceOverTheFileGrowsWhileMountedAndKeepsItsData() throws Exception {
        resizeBacking(320 * MIB);
        export = ExportFile.mount(mountPoint, endpoint);
        assertEquals(320 * MIB, export.size());
        assertEquals(320 * MIB, Files.size(export.file()));
        assertTrue(export.live());

        String loop = sh("losetup", "--find", "--show", export.file().toString());
        undo.add(List.of("losetup", "-d", loop));
        sh("mkfs.xfs", "-q", loop);
        sh("mount", loop, fsMount.toString());
        undo.add(List.of("umount", fsMount.toString()));
        byte[] data = new byte[(int) (3 * MIB) + 4096 * 7 + 123];
        new Random(7).nextBytes(data);
        Files.write(fsMount.resolve("before"), data);
        sh("sync", "-f", fsMount.resolve("before").toString());
        long before = fsBytes();

        // The export grows (as an engine does on expand); the file, the loop device and xfs follow.
        resizeBacking(640 * MIB);
        IOException tooFar = assertThrows(IOException.class, () -> export.grow(1024 * MIB));
        assertTrue(tooFar.getMessage().contains("fewer than"), tooFar.getMessage());
        assertEquals(320 * MIB, export.size(), "a refused grow changes nothing");
        assertEquals(640 * MIB, export.grow(600 * MIB));
        assertEquals(640 * MIB, Files.size(export.file()));
        sh("losetup", "--set-capacity", loop);
        assertEquals(Long.toString(640 * MIB), sh("blockdev", "--getsize64", loop));
        sh("xfs_growfs", fsMount.toString());
        long after = fsBytes();
        assertTrue(after > before + 250 * MIB, "xfs grew from " + before + " to " + after + " bytes");

        assertArrayEquals(data, Files.readAllBytes(fsMount.resolve("before")));
        byte[] more = new byte[(int) (400 * MIB)];
        new Random(8).nextBytes(more);
        Files.write(fsMount.resolve("after"), more);
        sh("sync", "-f", fsMount.resolve("after").toString());
        Files.delete(fsMount.resolve("after"));
        // discards reach the export as write-zeroes
        sh("fstrim", fsMount.toString());

        sh("umount", fsMount.toString());
        sh("losetup", "-d", loop);
        undo.clear();
        sh("umount", mountPoint.toString());
        export.close();
        assertFalse(export.live());
        export = null;

        // What xfs wrote is in the export's own file: a clean, grown file system holding the data.
        Exec.Result check = Exec.run(List.of("xfs_repair", "-n", "-f", backing.toString()), 120);
        assertEquals(0, check.code(), check.output());
        sh("mount", "-o", "loop,ro", backing.toString(), fsMount.toString());
        try {
            assertArrayEquals(data, Files.readAllBytes(fsMount.resolve("before")));
            assertEquals(after, fsBytes(), "the grown size is in the file system itself");
        } finally {
            sh("umount", fsMount.toString());
        }
    }

    private void resizeBacking(long bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(bytes);
        }
    }

    private long fsBytes() {
        return Long.parseLong(sh("stat", "-f", "-c", "%b", fsMount.toString()))
               * Long.parseLong(sh("stat", "-f", "-c", "%S", fsMount.toString()));
    }

    @Test
    void readsAndWritesBeyondTheEndAndUnknownNamesAreRefused() throws Exception {
        export = ExportFile.mount(mountPoint, endpoint);
        assertFalse(Files.exists(mountPoint.resolve("other")));
        assertEquals(List.of(ExportFile.FILE_NAME), Files.list(mountPoint).map(p -> p.getFileName().toString()).toList());
        try (RandomAccessFile f = new RandomAccessFile(export.file().toFile(), "rw")) {
            f.seek(64 * MIB - 4);
            f.write(new byte[] {1, 2, 3, 4});
            f.getFD().sync();
            f.seek(64 * MIB - 4);
            byte[] back = new byte[8];
            assertEquals(4, f.read(back), "a read stops at the end");
            assertThrows(IOException.class, () -> f.write(new byte[] {5}), "a write past the end");
            assertThrows(IOException.class, () -> f.setLength(128 * MIB), "the size is the volume's");
        }
        Exec.Result trunc = Exec.run(List.of("truncate", "-s", "1M", export.file().toString()), 30);
        assertFalse(trunc.ok(), trunc.output());
        assertEquals(64 * MIB, Files.size(export.file()));
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "r")) {
            f.seek(64 * MIB - 4);
            byte[] back = new byte[4];
            f.readFully(back);
            assertArrayEquals(new byte[] {1, 2, 3, 4}, back);
        }
    }
}
