package io.longhorn.engine.frontend.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real NBD clients (qemu, libnbd tools, fio) against the server over a file-backed device. */
class NbdClientsIT {

    private static final long SIZE = 128L << 20;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path dir;
    private FileBlockDevice device;
    private NbdServer server;
    private String uri;
    private Path socket;

    @BeforeEach
    void start() throws IOException {
        device = new FileBlockDevice(dir.resolve("disk.img"), SIZE);
        socket = dir.resolve("nbd.sock");
        server = new NbdServer(device, NbdServerOptions.of("vol1", new InetSocketAddress("127.0.0.1", 0), socket));
        server.start();
        uri = server.endpoint();
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (device != null) {
            device.close();
        }
    }

    @Test
    void nbdinfoReportsTheSizeBlockSizesAndFlags() {
        String out = Cmd.run(TIMEOUT, "nbdinfo", uri).ok().output();
        assertTrue(out.contains("export-size: " + SIZE), out);
        assertTrue(out.contains("block_size_minimum: 1"), out);
        assertTrue(out.contains("block_size_preferred: 4096"), out);
        assertTrue(out.contains("block_size_maximum: 33554432"), out);
        for (String flag : new String[] {"can_flush: true", "can_fua: true", "can_trim: true", "can_zero: true",
                "can_multi_conn: true", "is_read_only: false"}) {
            assertTrue(out.contains(flag), flag + " in\n" + out);
        }
        String list = Cmd.run(TIMEOUT, "nbdinfo", "--list", uri).ok().output();
        assertTrue(list.contains("export=\"vol1\""), list);
        String size = Cmd.run(TIMEOUT, "nbdinfo", "--size", "nbd://127.0.0.1:" + server.tcpAddress().getPort())
                .ok().output().trim();
        assertEquals(String.valueOf(SIZE), size, "the default export is the volume");
    }

    @Test
    void qemuImgInfoSeesARawImageOfTheVolumeSize() {
        String out = Cmd.run(TIMEOUT, "qemu-img", "info", "--output=json", "-f", "raw", uri).ok().output();
        assertTrue(out.contains("\"virtual-size\": " + SIZE), out);
        assertTrue(out.contains("\"format\": \"raw\""), out);
    }

    @Test
    void qemuIoWritesAndReadsPatternsIncludingUnalignedOnes() throws IOException {
        Cmd.run(TIMEOUT, "qemu-io", "-f", "raw",
                "-c", "write -P 0xab 0 1M",
                "-c", "read -P 0xab 0 1M",
                "-c", "write -P 0x5 1000 3000",
                "-c", "read -P 0x5 1000 3000",
                "-c", "read -P 0xab 0 1000",
                "-c", "read -P 0xab 4000 1044576",
                "-c", "write -z 5000 10000",
                "-c", "read -P 0 5000 10000",
                "-c", "read -P 0xab 15000 1000",
                "-c", "flush", uri).ok();
        byte[] disk = Files.readAllBytes(dir.resolve("disk.img"));
        byte[] expected = new byte[1 << 20];
        Arrays.fill(expected, (byte) 0xab);
        Arrays.fill(expected, 1000, 4000, (byte) 0x5);
        Arrays.fill(expected, 5000, 15000, (byte) 0);
        assertArrayEquals(expected, Arrays.copyOf(disk, 1 << 20));
        // The checks above can fail: a wrong pattern makes qemu-io exit non-zero.
        Cmd.Result wrong = Cmd.run(TIMEOUT, "qemu-io", "-f", "raw", "-c", "read -P 0xcd 0 4096", uri);
        assertNotEquals(0, wrong.exit(), wrong.output());
        assertTrue(wrong.output().contains("Pattern verification failed"), wrong.output());
    }

    @Test
    void theUnixSocketServesTheSameExport() throws IOException {
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)),
                "only its owner may connect");
        String unixUri = "nbd+unix:///vol1?socket=" + socket;
        Cmd.run(TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x77 8192 8192", unixUri).ok();
        Cmd.run(TIMEOUT, "qemu-io", "-f", "raw", "-c", "read -P 0x77 8192 8192", uri).ok();
    }

    @Test
    void nbdcopyRoundTripsARandomFileOverFourConnections() throws IOException {
        byte[] data = new byte[64 << 20];
        new Random(7).nextBytes(data);
        Path source = dir.resolve("source.bin");
        Path back = dir.resolve("back.bin");
        Files.write(source, data);
        Cmd.run(TIMEOUT, "nbdcopy", "--connections=4", "--requests=16", source.toString(), uri).ok();
        Cmd.run(TIMEOUT, "nbdcopy", "--connections=4", "--requests=16", uri, back.toString()).ok();
        byte[] copied = Files.readAllBytes(back);
        assertEquals(SIZE, copied.length);
        assertArrayEquals(data, Arrays.copyOf(copied, data.length));
        assertArrayEquals(new byte[(int) SIZE - data.length], Arrays.copyOfRange(copied, data.length, copied.length));
    }

    @Test
    void fioVerifiesCrc32cAtIodepth16WithTwoJobs() {
        Cmd.Result r = Cmd.run(TIMEOUT, "fio", "--name=verify", "--ioengine=nbd", "--uri=" + uri,
                "--rw=randwrite", "--bs=4k", "--iodepth=16", "--numjobs=2", "--size=32M", "--offset_increment=32M",
                "--verify=crc32c", "--verify_fatal=1", "--verify_state_save=0", "--group_reporting");
        r.ok();
        assertTrue(r.output().contains("err= 0"), r.output());
    }

    @Test
    void fioVerifiesUnalignedBlocksWrittenConcurrently() {
        // 1536-byte blocks: most of them share a 4 KiB block with a neighbour in flight at the same
        // time, so this exercises the read-modify-write locking end to end.
        Cmd.Result r = Cmd.run(TIMEOUT, "fio", "--name=unaligned", "--ioengine=nbd", "--uri=" + uri,
                "--rw=randwrite", "--bs=1536", "--iodepth=16", "--size=12M",
                "--verify=crc32c", "--verify_fatal=1", "--verify_state_save=0");
        r.ok();
        assertTrue(r.output().contains("err= 0"), r.output());
    }

    @Test
    void aGarbageHandshakeClosesOnlyThatConnection() throws IOException {
        try (RawNbdClient healthy = RawNbdClient.connect(server.tcpAddress(), "vol1");
             Socket garbage = new Socket()) {
            garbage.connect(server.tcpAddress());
            garbage.setSoTimeout(20_000);
            garbage.getInputStream().readNBytes(18);
            garbage.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            assertTrue(hungUp(garbage), "the server hangs up on garbage");
            healthy.send(NbdProtocol.CMD_FLUSH, 0, 1, 0, 0, null);
            healthy.flushOut();
            assertEquals(0, healthy.readSimple(0).error(), "an established connection is unaffected");
        }
        Cmd.run(TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x1 0 4096", "-c", "read -P 0x1 0 4096", uri).ok();
    }

    /** EOF, or a reset because the server closed with our garbage still unread. */
    private static boolean hungUp(Socket s) {
        try {
            return s.getInputStream().read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void outOfRangeRequestsFailWithTheRightErrnoAndTheConnectionGoesOn() {
        String script = String.join("\n",
                "h.set_strict_mode(0)",
                "h.connect_uri('" + uri + "')",
                "size = h.get_size()",
                "def code(f):",
                "    try:",
                "        f()",
                "        return 'OK'",
                "    except nbd.Error as e:",
                "        return str(e.errno)",
                "print('read-beyond', code(lambda: h.pread(4096, size - 512)))",
                "print('write-beyond', code(lambda: h.pwrite(b'x' * 4096, size)))",
                "print('zero-beyond', code(lambda: h.zero(8192, size - 4096)))",
                "print('trim-beyond', code(lambda: h.trim(8192, size)))",
                "print('write-ok', code(lambda: h.pwrite(b'y' * 5000, 10)))",
                "print('read-ok', h.pread(5000, 10) == b'y' * 5000)",
                "h.shutdown()");
        String out = Cmd.run(TIMEOUT, "nbdsh", "-c", script).ok().output();
        assertTrue(out.contains("read-beyond EINVAL"), out);
        assertTrue(out.contains("write-beyond ENOSPC"), out);
        assertTrue(out.contains("zero-beyond ENOSPC"), out);
        assertTrue(out.contains("trim-beyond EINVAL"), out);
        assertTrue(out.contains("write-ok OK"), out);
        assertTrue(out.contains("read-ok True"), out);
    }
}
