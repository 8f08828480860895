package io.longhorn.engine.it;

import static io.longhorn.engine.it.Cluster.TOOL_TIMEOUT;
import static io.longhorn.engine.it.Cluster.cli;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ext4 on a replicated volume (nbdfuse, a loop device, mkfs.ext4), snapshot and revert. */
class Ext4RevertIT {

    @TempDir
    Path dir;
    Cluster cluster;

    @BeforeEach
    void start() {
        cluster = new Cluster(dir);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void revertBringsTheFilesBackAsTheyWereAtTheSnapshot() throws Exception {
        Cluster.Engine engine = cluster.engine("vol1", cluster.replicas("128Mi", "r1", "r2"));
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Random random = new Random(5);
        Map<String, byte[]> before = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            byte[] data = new byte[1 + random.nextInt(2 << 20)];
            random.nextBytes(data);
            before.put("a/file" + i, data);
        }
        byte[] changed = new byte[300_000];
        random.nextBytes(changed);

        try (Attached a = new Attached(engine.nbd, dir.resolve("fuse1"))) {
            Tool.run(TOOL_TIMEOUT, "mkfs.ext4", "-q", "-F", a.loop).ok();
            a.mount(mnt);
            write(mnt, before);
            // Frozen, the file system is consistent on the device while the snapshot is taken.
            Tool.run(TOOL_TIMEOUT, "fsfreeze", "-f", mnt.toString()).ok();
            try {
                cli(engine, "snapshot", "create", "before").ok();
            } finally {
                Tool.run(TOOL_TIMEOUT, "fsfreeze", "-u", mnt.toString()).ok();
            }
            Files.write(mnt.resolve("a/file0"), changed);
            Files.delete(mnt.resolve("a/file1"));
            write(mnt, Map.of("b/later", changed));
            Tool.run(TOOL_TIMEOUT, "sync").ok();
            assertArrayEquals(changed, Files.readAllBytes(mnt.resolve("a/file0")));
        }

        String refused = cli(engine, "snapshot", "revert", "before").failed().output();
        assertTrue(refused.contains("frontend stop"), refused);
        cli(engine, "frontend", "stop").ok();
        cli(engine, "snapshot", "revert", "before").ok();
        String info = cli(engine, "frontend", "start").ok().output();
        assertTrue(info.contains(engine.nbd), "the export is back at the same address: " + info);

        try (Attached a = new Attached(engine.nbd, dir.resolve("fuse2"))) {
            Tool.run(TOOL_TIMEOUT, "e2fsck", "-f", "-n", a.loop).ok();
            a.mount(mnt);
            for (Map.Entry<String, byte[]> f : before.entrySet()) {
                assertArrayEquals(f.getValue(), Files.readAllBytes(mnt.resolve(f.getKey())), f.getKey());
            }
            assertFalse(Files.exists(mnt.resolve("b/later")), "a file written after the snapshot survived the revert");
            try (var files = Files.list(mnt.resolve("a"))) {
                assertEquals(before.size(), files.count());
            }
        }
    }

    private static void write(Path mnt, Map<String, byte[]> files) throws IOException {
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = mnt.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
    }

    /**
     * The export attached as a file (nbdfuse), then a loop device, optionally mounted; closing
     * undoes whatever was done, in reverse order.
     */
    private static final class Attached implements AutoCloseable {
        private final Path fuseDir;
        private Process nbdfuse;
        final String loop;
        private Path mounted;

        Attached(String nbd, Path fuseDir) throws IOException {
            this.fuseDir = Files.createDirectories(fuseDir);
            Path file = fuseDir.resolve("nbd");
            String l = null;
            try {
                nbdfuse = new ProcessBuilder("nbdfuse", file.toString(), nbd).redirectErrorStream(true)
                        .redirectOutput(fuseDir.resolveSibling(fuseDir.getFileName() + ".log").toFile()).start();
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file) && Files.size(file) > 0);
                l = Tool.run(TOOL_TIMEOUT, "losetup", "-f", "--show", file.toString()).ok().output().trim();
            } catch (IOException | RuntimeException | Error e) {
                this.loop = null;
                close();
                throw e;
            }
            this.loop = l;
        }

        void mount(Path at) {
            Tool.run(TOOL_TIMEOUT, "mount", loop, at.toString()).ok();
            mounted = at;
        }

        @Override
        public void close() {
            if (mounted != null && Tool.run(TOOL_TIMEOUT, "umount", mounted.toString()).exit() != 0) {
                Tool.run(TOOL_TIMEOUT, "umount", "-l", mounted.toString());
            }
            if (loop != null) {
                Tool.run(TOOL_TIMEOUT, "losetup", "-d", loop);
            }
            if (nbdfuse != null) {
                Tool.run(TOOL_TIMEOUT, "fusermount3", "-u", fuseDir.toString());
                try {
                    if (!nbdfuse.waitFor(30, TimeUnit.SECONDS)) {
                        nbdfuse.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    nbdfuse.destroyForcibly();
                }
            }
        }
    }
}
