package io.longhorn.engine.it;

import static io.longhorn.engine.it.Cluster.TOOL_TIMEOUT;
import static io.longhorn.engine.it.Cluster.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.engine.IoStats;
import io.longhorn.api.engine.ReplicaMode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's export through qemu and libnbd tools, the CLI, and bad input. One volume over two
 * replicas serves all tests (starting processes is what takes time here); expansion runs last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EngineClientsIT {

    static final long SIZE = 64L << 20;

    @TempDir
    static Path dir;
    Cluster cluster;
    ServiceProcess r1;
    ServiceProcess r2;
    Cluster.Engine engine;

    @BeforeAll
    void start() throws Exception {
        cluster = new Cluster(dir);
        List<ServiceProcess> rs = cluster.replicas("64Mi", "r1", "r2");
        r1 = rs.get(0);
        r2 = rs.get(1);
        engine = cluster.engine("vol1", List.of(r1, r2));
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    @Order(1)
    void qemuAndLibnbdToolsRoundTripDataThroughTheExport() throws Exception {
        IoStats before = engine.info().getIoStats();
        String info = Tool.run(TOOL_TIMEOUT, "qemu-img", "info", "-f", "raw", engine.nbd).ok().output();
        assertTrue(info.contains("virtual size: 64 MiB (67108864 bytes)"), info);
        assertEquals(SIZE, Long.parseLong(Tool.run(TOOL_TIMEOUT, "nbdinfo", "--size", engine.nbd).ok().output().trim()));

        Tool.run(TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0xab 0 1M", "-c", "write -P 0xcd 3M 5k",
                "-c", "write -P 0xef 63M 4096", engine.nbd).ok();
        IoStats afterWrites = engine.info().getIoStats();
        assertEquals(before.getId(), afterWrites.getId());
        assertTrue(afterWrites.getWrite().getCount() - before.getWrite().getCount() >= 3, afterWrites.toString());
        assertTrue(afterWrites.getWrite().getBytes() - before.getWrite().getBytes() >= (1 << 20) + 5120 + 4096,
                afterWrites.toString());
        assertTrue(afterWrites.getWrite().getLatencyNanos() > before.getWrite().getLatencyNanos(), afterWrites.toString());
        assertEquals(before.getWrite().getErrors(), afterWrites.getWrite().getErrors());
        assertTrue(afterWrites.getUptimeNanos() > before.getUptimeNanos());
        Tool.run(TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "read -P 0xab 0 1M", "-c", "read -P 0xcd 3M 5k",
                "-c", "read -P 0 1M 1M", "-c", "read -P 0xef 63M 4096", engine.nbd).ok();
        // A pattern that differs makes qemu-io fail: the check above can fail.
        assertTrue(Tool.run(TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "read -P 0x12 0 4096", engine.nbd).output()
                .contains("Pattern verification failed"));

        byte[] data = new byte[16 << 20];
        new Random(42).nextBytes(data);
        Path in = Files.write(dir.resolve("in.img"), data);
        Path out = dir.resolve("out.img");
        Tool.run(TOOL_TIMEOUT, "nbdcopy", in.toString(), engine.nbd).ok();
        Tool.run(TOOL_TIMEOUT, "nbdcopy", engine.nbd, out.toString()).ok();
        assertEquals(SIZE, Files.size(out));
        Tool.run(TOOL_TIMEOUT, "cmp", "-n", Integer.toString(data.length), in.toString(), out.toString()).ok();

        String text = cli(engine, "info").ok().output();
        assertTrue(text.contains(engine.nbd), text);
        assertTrue(text.matches("(?s).*\\nwrite\\s+[1-9][0-9]*\\s+.*"), text);
        assertTrue(text.matches("(?s).*" + Cluster.control(r1) + "\\s+RW.*"), text);
        assertTrue(text.matches("(?s).*" + Cluster.control(r2) + "\\s+RW.*"), text);
    }

    @Test
    void requestsBeyondTheEndAreRefusedAndTheConnectionGoesOn() throws Exception {
        String script = String.join("\n",
                "import nbd",
                "h = nbd.NBD()",
                "h.set_strict_mode(0)",
                "h.connect_uri('" + engine.nbd + "')",
                "size = h.get_size()",
                "for what, op in [('read', lambda: h.pread(4096, size)),",
                "                 ('write', lambda: h.pwrite(b'x' * 8192, size - 4096)),",
                "                 ('zero', lambda: h.zero(8192, size))]:",
                "    try:",
                "        op()",
                "        print(what, 'OK')",
                "    except nbd.Error as e:",
                "        print(what, 'errno', e.errnum)",
                "h.pwrite(b'y' * 4096, size - 4096)",
                "print('after', h.pread(4096, size - 4096)[:1].decode())",
                "h.shutdown()");
        String out = Tool.run(TOOL_TIMEOUT, "/usr/bin/python3", "-c", script).ok().output();
        assertTrue(out.contains("read errno 22"), out);
        // The NBD protocol asks for ENOSPC on writes past the end, EINVAL on reads.
        assertTrue(out.contains("write errno 28"), out);
        assertTrue(out.contains("zero errno 28"), out);
        assertTrue(out.contains("after y"), out);
    }

    @Test
    void garbageHandshakeClosesOnlyThatConnection() throws Exception {
        URI uri = URI.create(engine.nbd);
        Tool.run(TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 64k", engine.nbd).ok();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
            s.setSoTimeout(30_000);
            InputStream in = s.getInputStream();
            byte[] greeting = in.readNBytes(18);
            assertEquals("NBDMAGIC", new String(greeting, 0, 8, StandardCharsets.US_ASCII));
            OutputStream o = s.getOutputStream();
            // The server gives up on this client: the stream ends, or the connection is reset
            // (possibly while we are still writing).
            int read;
            try {
                o.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                o.write(new byte[256]);
                o.flush();
                do {
                    read = in.read();
                } while (read >= 0);
            } catch (java.net.SocketException reset) {
                read = -1;
            }
            assertEquals(-1, read);
        }
        Tool.run(TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "read -P 0x5a 0 64k", engine.nbd).ok();
    }

    @Test
    void replicaOfTheWrongSizeOrOutOfReachIsRefusedAndTheVolumeIsUnchanged() throws Exception {
        ServiceProcess small = cluster.replica("small", "32Mi");
        int snapshots = engine.api().snapshotList(io.longhorn.api.engine.Empty.getDefaultInstance()).getSnapshotsCount();
        Tool.Result wrong = cli(engine, "replica", "add", Cluster.control(small)).failed();
        assertEquals(1, wrong.exit());
        assertTrue(wrong.output().contains("size"), wrong.output());
        assertTrue(wrong.output().contains(Cluster.control(small)), wrong.output());

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Tool.Result gone = cli(engine, "replica", "add", "tcp://127.0.0.1:" + port).failed();
        assertEquals(1, gone.exit());
        assertTrue(gone.output().contains("tcp://127.0.0.1:" + port), gone.output());

        assertEquals(2, engine.info().getReplicasCount());
        assertEquals(ReplicaMode.RW, engine.mode(Cluster.control(r1)));
        assertEquals(ReplicaMode.RW, engine.mode(Cluster.control(r2)));
        assertEquals(snapshots, engine.api().snapshotList(io.longhorn.api.engine.Empty.getDefaultInstance()).getSnapshotsCount(),
                "no snapshot was taken for the failed additions");
        assertEquals(2, cli(engine, "replica", "add").exit(), "missing argument is a usage error");
    }

    @Test
    void engineThatCannotStartSaysWhyAndExitsNonZero() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String launcher = FrozenBuild.root().resolve("bin/longhorn-engine").toString();
        java.util.Map<String, String> env = java.util.Map.of("JAVA_HOME", System.getProperty("java.home"));
        Tool.Result down = Tool.run(TOOL_TIMEOUT, env, List.of(launcher, "controller", "--listen", "127.0.0.1:0",
                "--nbd-listen", "127.0.0.1:0", "--replica", "tcp://127.0.0.1:" + port, "vol2"));
        assertEquals(1, down.exit(), down.output());
        assertTrue(down.output().contains("tcp://127.0.0.1:" + port + ": unreachable"), down.output());

        Tool.Result bad = Tool.run(TOOL_TIMEOUT, env, List.of(launcher, "controller", "--replica-timeout", "soon",
                "--replica", Cluster.control(r1), "vol2"));
        assertEquals(2, bad.exit(), bad.output());
        assertTrue(bad.output().contains("--replica-timeout"), bad.output());
    }

    @Test
    @Order(100)
    void expandGrowsTheVolumeAndNewConnectionsSeeTheNewSize() {
        Tool.run(TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x77 0 4096", engine.nbd).ok();
        cli(engine, "expand", "128Mi").ok();
        assertEquals(128L << 20, Long.parseLong(Tool.run(TOOL_TIMEOUT, "nbdinfo", "--size", engine.nbd).ok().output().trim()));
        Tool.run(TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x78 127M 1M", "-c", "read -P 0x78 127M 1M",
                "-c", "read -P 0x77 0 4096", engine.nbd).ok();
        Tool.Result shrink = cli(engine, "expand", "64Mi").failed();
        assertTrue(shrink.output().contains("must grow"), shrink.output());
    }

    @Test
    void snapshotsAreCreatedListedAndRemovedOnEveryReplica() {
        Tool.run(TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 1 0 1M", engine.nbd).ok();
        Tool.Result created = cli(engine, "snapshot", "create", "s1", "--label", "app=db").ok();
        assertTrue(created.output().contains("paused for"), created.output());
        Tool.run(TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 2 0 1M", engine.nbd).ok();
        cli(engine, "snapshot", "create", "s2").ok();
        String ls = cli(engine, "snapshot", "ls").ok().output();
        assertTrue(ls.matches("(?s).*s1\\s+\\S+.*app=db.*"), ls);
        assertTrue(ls.contains("head is based on: s2"), ls);
        assertEquals(1, cli(engine, "snapshot", "create", "s1").exit(), "duplicate name");
        cli(engine, "snapshot", "rm", "s1").ok();
        cli(engine, "snapshot", "purge").ok();
        String after = cli(engine, "snapshot", "ls").ok().output();
        assertTrue(after.contains("s2") && !after.matches("(?s).*\\bs1\\b.*"), after);
        Tool.run(TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "read -P 2 0 1M", engine.nbd).ok();
        assertEquals(1, cli(engine, "snapshot", "rm", "nope").exit());
    }
}
