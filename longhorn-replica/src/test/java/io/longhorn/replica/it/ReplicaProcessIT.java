package io.longhorn.replica.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longhorn.api.client.ReplicaDataClient;
import io.longhorn.api.client.ReplicaDataException;
import io.longhorn.api.replica.Empty;
import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.replica.ReplicaServiceGrpc;
import io.longhorn.api.replica.SnapshotCreateRequest;
import io.longhorn.api.replica.SnapshotRequest;
import io.longhorn.api.types.Address;
import io.longhorn.api.wire.Frame;
import io.longhorn.api.wire.Hello;
import io.longhorn.api.wire.MessageType;
import io.longhorn.api.wire.WireStatus;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replica process as the engine sees it: data and control over real sockets. */
class ReplicaProcessIT {
    private static final long SIZE = 256L << 20;

    @TempDir
    Path tmp;

    @Test
    void deleteOverGrpcRemovesTheReplicaDirectoryAndTheProcessExits() throws Exception {
        Path dir = tmp.resolve("doomed");
        try (ReplicaProcess r = ReplicaProcess.start("delete", dir, "--size", "64Mi")) {
            ReplicaDataClient c = r.connect();
            all(List.of(c.write(0, ByteBuffer.allocate(4096), true)));
            r.grpc().snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s1").build());
            r.grpc().delete(Empty.getDefaultInstance());
            assertFalse(Files.exists(dir), "the directory is gone when Delete answers");
            assertEquals(0, r.awaitExit(), r.outputText());
            assertTrue(r.outputText().contains("replica deleted: dir=" + dir), r.outputText());
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !c.isOpen());
        }
        assertFalse(Files.exists(dir), "shutting down after the delete wrote nothing back");
    }

    @Test
    void dozensOfPipelinedRequestsOverTcpAndUnixSocketReadBackAndSurviveARestart() throws Exception {
        Path dir = tmp.resolve("r1");
        Path sock = tmp.resolve("r1.sock");
        byte[][] data = new byte[128][];
        Random rnd = new Random(1234);
        try (ReplicaProcess r = ReplicaProcess.start("pipelined", dir, "--size", "256Mi", "--data-socket", sock.toString())) {
            assertEquals(SIZE, r.size());
            assertEquals(sock, r.socket());
            ReplicaDataClient tcp = r.connect();
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (int i = 0; i < data.length; i++) {
                data[i] = new byte[4096 * (1 + rnd.nextInt(32))];
                rnd.nextBytes(data[i]);
                fs.add(tcp.write((long) i << 20, ByteBuffer.wrap(data[i]), false));
            }
            all(fs);
            all(List.of(tcp.flush()));
            try (ReplicaDataClient unix = ReplicaDataClient.connect(Address.unix(sock), Duration.ofSeconds(10), new Hello("", 0, "tool-" + ProcessHandle.current().pid()))) {
                verify(unix, data);
            }
            ReplicaInfo info = r.grpc().info(Empty.getDefaultInstance());
            assertEquals(r.data().toString(), info.getDataAddress());
            assertEquals(sock.toString(), info.getDataSocket());
            assertTrue(info.getDirty());
            assertCleanExit(r.terminate(), r);
        }
        assertTrue(Files.readString(dir.resolve("volume.meta")).contains("\"Dirty\":false"),
                "a clean shutdown marks the replica clean");
        assertFalse(Files.exists(sock), "the socket file is removed at shutdown");
        try (ReplicaProcess again = ReplicaProcess.start("pipelined-reopen", dir)) {
            assertEquals(SIZE, again.size());
            verify(again.connect(), data);
        }
    }

    @Test
    void outOfRangeAndUnalignedRequestsFailWithEinvalAndTheConnectionKeepsWorking() throws Exception {
        try (ReplicaProcess r = ReplicaProcess.start("bad-io", tmp.resolve("r"), "--size", "256Mi")) {
            ReplicaDataClient c = r.connect();
            ReplicaDataException beyond = failure(c.write(SIZE, ByteBuffer.allocate(4096), false));
            assertEquals(WireStatus.EINVAL, beyond.status());
            assertTrue(beyond.getMessage().contains(r.data().toString()), beyond.getMessage());
            assertEquals(WireStatus.EINVAL, failure(c.read(SIZE - 4096, ByteBuffer.allocate(8192))).status());
            assertEquals(WireStatus.EINVAL, failure(c.writeZeroes(SIZE, 4096)).status());
            assertEquals(WireStatus.EINVAL, failure(c.write(1000, ByteBuffer.allocate(4096), false)).status());
            assertEquals(WireStatus.EINVAL, failure(c.write(4096, ByteBuffer.allocate(100), false)).status());
            assertEquals(WireStatus.EINVAL, failure(c.read(4096, ByteBuffer.allocate(4000))).status());
            byte[] ones = new byte[4096];
            java.util.Arrays.fill(ones, (byte) 1);
            c.write(0, ByteBuffer.wrap(ones), true).get(30, TimeUnit.SECONDS);
            ByteBuffer back = ByteBuffer.allocate(4096);
            c.read(0, back).get(30, TimeUnit.SECONDS);
            assertArrayEquals(ones, back.array());
            assertTrue(c.isOpen());
        }
    }

    @Test
    void garbageFramesCloseOnlyTheirConnectionWhileAnotherKeepsWorking() throws Exception {
        try (ReplicaProcess r = ReplicaProcess.start("garbage", tmp.resolve("r"), "--size", "64Mi")) {
            ReplicaDataClient good = r.connect();
            good.ping().get(30, TimeUnit.SECONDS);
            ByteBuffer unknownType = Frame.request(MessageType.PING, 1, 0, 0, 0).encode();
            unknownType.put(3, (byte) 0x45);
            List<byte[]> garbage = List.of(
                    "GET / HTTP/1.1\r\nHost: x\r\n\r\n      ".getBytes(StandardCharsets.US_ASCII),
                    unknownType.array(),
                    Frame.request(MessageType.WRITE, 2, 0, Integer.MAX_VALUE, 0).encode().array());
            for (byte[] g : garbage) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(r.data().host(), r.data().port()), 10_000);
                    s.setSoTimeout(30_000);
                    s.getOutputStream().write(g);
                    s.getOutputStream().flush();
                    InputStream in = s.getInputStream();
                    assertEquals(-1, in.read(), "the replica closes a connection that sends garbage");
                }
            }
            byte[] d = new byte[8192];
            new Random(2).nextBytes(d);
            good.write(8192, ByteBuffer.wrap(d), false).get(30, TimeUnit.SECONDS);
            ByteBuffer back = ByteBuffer.allocate(8192);
            good.read(8192, back).get(30, TimeUnit.SECONDS);
            assertArrayEquals(d, back.array());
            assertTrue(r.process.isAlive());
        }
    }

    @Test
    void badSnapshotRequestsGetTheirStatusCodesAndLeaveTheChainAlone() throws Exception {
        try (ReplicaProcess r = ReplicaProcess.start("grpc-errors", tmp.resolve("r"), "--size", "64Mi")) {
            ReplicaServiceGrpc.ReplicaServiceBlockingStub grpc = r.grpc();
            grpc.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s1").setUserCreated(true).build());
            ReplicaInfo before = grpc.info(Empty.getDefaultInstance());
            assertCode(Status.Code.ALREADY_EXISTS, "s1",
                    () -> grpc.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s1").build()));
            assertCode(Status.Code.INVALID_ARGUMENT, "head",
                    () -> grpc.snapshotRemove(SnapshotRequest.newBuilder().setName("volume-head").build()));
            assertCode(Status.Code.NOT_FOUND, "missing",
                    () -> grpc.snapshotRevert(SnapshotRequest.newBuilder().setName("missing").build()));
            assertCode(Status.Code.INVALID_ARGUMENT, "snapshot name",
                    () -> grpc.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("a/b").build()));
            assertCode(Status.Code.INVALID_ARGUMENT, "snapshot name",
                    () -> grpc.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("").build()));
            ReplicaInfo after = grpc.info(Empty.getDefaultInstance());
            assertEquals(before.getSnapshotsList(), after.getSnapshotsList());
            assertEquals(before.getHead(), after.getHead());
            assertEquals(List.of("volume-head-001.img", "volume-head-001.img.meta", "volume-snap-s1.img",
                    "volume-snap-s1.img.meta", "volume.meta"), files(tmp.resolve("r")));
        }
    }

    @Test
    void aCorruptVolumeMetaMakesTheProcessExitWithAClearMessage() throws Exception {
        Path dir = tmp.resolve("r");
        try (ReplicaProcess r = ReplicaProcess.start("corrupt-create", dir, "--size", "64Mi")) {
            assertCleanExit(r.terminate(), r);
        }
        Files.writeString(dir.resolve("volume.meta"), "{\"Size\": 4096, \"Head\": ");
        try (ReplicaProcess r = ReplicaProcess.launch("corrupt", "--listen", "127.0.0.1:0", dir.toString())) {
            assertTrue(r.process.waitFor(60, TimeUnit.SECONDS));
            assertNotEquals(0, r.process.exitValue());
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> r.outputText().contains("volume.meta"));
            String out = r.outputText();
            assertTrue(out.contains("corrupt") && out.contains(dir.toString()), out);
            assertFalse(out.contains("replica ready"), out);
        }
    }

    @Test
    void badArgumentsExitWithCodeTwoAndSayWhy() throws Exception {
        try (ReplicaProcess r = ReplicaProcess.launch("bad-args", "--listen", "127.0.0.1:0", "--size", "-5", tmp.resolve("x").toString())) {
            assertTrue(r.process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(2, r.process.exitValue());
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> r.outputText().contains("--size"));
        }
        assertFalse(Files.exists(tmp.resolve("x")), "bad arguments create nothing");
    }

    @Test
    void listensOnlyOnItsControlAndDataPorts() throws Exception {
        try (ReplicaProcess r = ReplicaProcess.start("ports", tmp.resolve("r"), "--size", "64Mi")) {
            Process ss = new ProcessBuilder("ss", "-H", "-l", "-t", "-n", "-p").redirectErrorStream(true).start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ss.waitFor(30, TimeUnit.SECONDS);
            List<String> mine = out.lines().filter(l -> l.contains("pid=" + r.pid() + ",")).toList();
            String controlPort = r.control().substring(r.control().lastIndexOf(':') + 1);
            assertEquals(2, mine.size(), "listening sockets of the replica:\n" + String.join("\n", mine));
            assertTrue(mine.stream().anyMatch(l -> l.contains(":" + controlPort + " ")), out);
            assertTrue(mine.stream().anyMatch(l -> l.contains(":" + r.data().port() + " ")), out);
        }
    }

    /** A JVM ended by SIGTERM reports 143 even when its shutdown hooks ran to completion. */
    private static void assertCleanExit(int code, ReplicaProcess r) {
        assertTrue(code == 0 || code == 143, "exit code " + code + "\n" + r.outputText());
        Awaitility.await("the store is closed at shutdown").atMost(Duration.ofSeconds(10))
                .until(() -> r.outputText().contains(": closed"));
    }

    private static List<String> files(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void verify(ReplicaDataClient c, byte[][] data) throws Exception {
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        ByteBuffer[] back = new ByteBuffer[data.length];
        for (int i = 0; i < data.length; i++) {
            back[i] = ByteBuffer.allocate(data[i].length);
            fs.add(c.read((long) i << 20, back[i]));
        }
        all(fs);
        for (int i = 0; i < data.length; i++) {
            assertArrayEquals(data[i], back[i].array(), "block " + i);
        }
    }

    private static void all(List<CompletableFuture<Void>> fs) throws Exception {
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    private static ReplicaDataException failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(ReplicaDataException.class, e.getCause());
    }

    private static void assertCode(Status.Code code, String inMessage, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getMessage());
        assertTrue(e.getStatus().getDescription() != null && e.getStatus().getDescription().contains(inMessage),
                e.getStatus().getDescription());
    }
}
