package io.longhorn.engine.frontend.nbd;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real file system on the export: nbdfuse exposes it as a file, a loop device turns that into a
 * block device, and ext4 goes on top. Files written through one server are read back through a
 * fresh server over the same device file.
 */
class NbdExt4IT {

    private static final long SIZE = 256L << 20;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    void ext4OnTheExportKeepsItsFilesAcrossUnmountAndReconnect() throws Exception {
        Path image = dir.resolve("disk.img");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Map<String, byte[]> files = new LinkedHashMap<>();
        Random random = new Random(3);
        for (int i = 0; i < 20; i++) {
            byte[] data = new byte[1 + random.nextInt(3 << 20)];
            random.nextBytes(data);
            files.put("dir" + (i % 3) + "/file" + i + ".bin", data);
        }

        try (Attached a = new Attached(image, dir.resolve("fuse1"))) {
            Cmd.run(TIMEOUT, "mkfs.ext4", "-q", "-F", a.loop).ok();
            a.mount(mnt);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path p = mnt.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.write(p, f.getValue());
            }
            Cmd.run(TIMEOUT, "sync").ok();
        }

        try (Attached a = new Attached(image, dir.resolve("fuse2"))) {
            Cmd.run(TIMEOUT, "e2fsck", "-f", "-n", a.loop).ok();
            a.mount(mnt);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                assertArrayEquals(f.getValue(), Files.readAllBytes(mnt.resolve(f.getKey())), f.getKey());
            }
            try (var listing = Files.list(mnt.resolve("dir0"))) {
                assertEquals(7, listing.count());
            }
        }
    }

    /**
     * A device file behind its own NBD server, nbdfuse and loop device, optionally mounted; closing
     * tears everything down in reverse order, whatever state it got to.
     */
    private static final class Attached implements AutoCloseable {
        private final FileBlockDevice device;
        private final NbdServer server;
        private final Path fuseDir;
        private Process nbdfuse;
        private String loop;
        private Path mounted;

        Attached(Path image, Path fuseDir) throws IOException {
            this.fuseDir = Files.createDirectories(fuseDir);
            this.device = new FileBlockDevice(image, SIZE);
            this.server = new NbdServer(device, NbdServerOptions.of("vol1", new InetSocketAddress("127.0.0.1", 0), null));
            try {
                server.start();
                Path file = fuseDir.resolve("nbd");
                nbdfuse = new ProcessBuilder("nbdfuse", file.toString(), server.endpoint())
                        .redirectErrorStream(true).redirectOutput(fuseDir.resolveSibling(fuseDir.getFileName() + ".log")
                                .toFile()).start();
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file) && Files.size(file) == SIZE);
                loop = Cmd.run(TIMEOUT, "losetup", "-f", "--show", file.toString()).ok().output().trim();
            } catch (IOException | RuntimeException | Error e) {
                close();
                throw e;
            }
        }

        void mount(Path at) {
            Cmd.run(TIMEOUT, "mount", loop, at.toString()).ok();
            mounted = at;
        }

        @Override
        public void close() {
            if (mounted != null) {
                Cmd.Result r = Cmd.run(TIMEOUT, "umount", mounted.toString());
                if (r.exit() != 0) {
                    Cmd.run(TIMEOUT, "umount", "-l", mounted.toString());
                }
            }
            if (loop != null) {
                Cmd.run(TIMEOUT, "losetup", "-d", loop);
            }
            if (nbdfuse != null) {
                Cmd.run(TIMEOUT, "fusermount3", "-u", fuseDir.toString());
                try {
                    if (!nbdfuse.waitFor(20, TimeUnit.SECONDS)) {
                        nbdfuse.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    nbdfuse.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
            server.close();
            try {
                device.close();
            } catch (IOException ignored) {
                // the test's temporary directory goes away anyway
            }
        }
    }
}
