package io.longhorn.engine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.longhorn.api.auth.GrpcAuth;
import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.api.client.ReplicaDataClient;
import io.longhorn.api.client.ReplicaDataException;
import io.longhorn.api.engine.EngineServiceGrpc;
import io.longhorn.api.engine.ReplicaAddRequest;
import io.longhorn.api.engine.ReplicaMode;
import io.longhorn.api.engine.ReplicaRequest;
import io.longhorn.api.replica.Empty;
import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.replica.ReplicaServiceGrpc;
import io.longhorn.api.replica.SetGenerationRequest;
import io.longhorn.api.replica.SnapshotCreateRequest;
import io.longhorn.api.types.Address;
import io.longhorn.api.wire.Frame;
import io.longhorn.api.wire.Hello;
import io.longhorn.api.wire.MessageType;
import io.longhorn.api.wire.WireStatus;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may touch a volume: only processes that hold its secret. A rogue client that knows the
 * addresses but not the secret is refused by replicas and engine alike, and nothing changes; an
 * engine sends no data to a replica that cannot prove the secret.
 */
class VolumeSecretIT {

    @TempDir
    Path dir;
    Cluster cluster;
    VolumeSecret secret;
    final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path file = dir.resolve("vol1.secret");
        secret = VolumeSecret.createIfMissing(file);
        cluster = new Cluster(dir).withSecret(file);
    }

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        cluster.close();
    }

    @Test
    void aRogueClientWithoutTheSecretIsRefusedAndTheVolumeIsByteForByteUnchanged() throws Exception {
        List<ServiceProcess> rs = cluster.replicas("16Mi", "r1", "r2");
        Cluster.Engine engine = cluster.engine("vol1", rs);
        CrashRestartIT.qemuIo(engine.nbd, "write -P 0x11 0 8M", "flush");
        String before = cluster.sha256(engine.nbd);
        List<ReplicaInfo> infos = new ArrayList<>();
        for (ServiceProcess r : rs) {
            infos.add(replica(r, secret).info(Empty.getDefaultInstance()));
        }

        for (int i = 0; i < rs.size(); i++) {
            ServiceProcess r = rs.get(i);
            Address data = Address.parse(infos.get(i).getDataAddress());
            long generation = infos.get(i).getGeneration();
            // The data server: no secret, a wrong secret, data before any handshake.
            ReplicaDataException none = assertThrows(ReplicaDataException.class, () -> ReplicaDataClient.connect(data,
                    Duration.ofSeconds(10), new Hello("vol1", generation + 1, "rogue")).write(0, zeros(), true).get());
            assertEquals(WireStatus.EACCES, none.status(), none.getMessage());
            ReplicaDataException wrong = assertThrows(ReplicaDataException.class, () -> ReplicaDataClient.connect(data,
                    Duration.ofSeconds(10), new Hello("vol1", generation + 1, "rogue"), VolumeSecret.generate()));
            assertEquals(WireStatus.EACCES, wrong.status(), wrong.getMessage());
            assertTrue(wrong.getMessage().contains("secret"), wrong.getMessage());
            assertClosedOnWriteBeforeHello(data);

            // The control API: unsigned, signed with a wrong secret, and a replayed signature.
            ReplicaServiceGrpc.ReplicaServiceBlockingStub unsigned = replica(r, null);
            assertStatus(Status.Code.UNAUTHENTICATED, () -> unsigned.setGeneration(SetGenerationRequest.newBuilder()
                    .setGeneration(generation + 10).setEngine("rogue").build()));
            assertStatus(Status.Code.UNAUTHENTICATED, () -> unsigned.snapshotCreate(
                    SnapshotCreateRequest.newBuilder().setName("rogue").build()));
            assertStatus(Status.Code.UNAUTHENTICATED, () -> unsigned.delete(Empty.getDefaultInstance()));
            ReplicaServiceGrpc.ReplicaServiceBlockingStub forged = replica(r, VolumeSecret.generate());
            assertStatus(Status.Code.UNAUTHENTICATED, () -> forged.snapshotCreate(
                    SnapshotCreateRequest.newBuilder().setName("rogue").build()));
            assertStatus(Status.Code.UNAUTHENTICATED, () -> forged.delete(Empty.getDefaultInstance()));
            String captured = GrpcAuth.header(secret, ReplicaServiceGrpc.getInfoMethod().getFullMethodName(), "manager",
                    System.currentTimeMillis());
            ReplicaServiceGrpc.ReplicaServiceBlockingStub replaying = ReplicaServiceGrpc.newBlockingStub(
                    channel(r.field("control"), fixedHeader(captured))).withDeadlineAfter(1, TimeUnit.MINUTES);
            replaying.info(Empty.getDefaultInstance());
            assertStatus(Status.Code.PERMISSION_DENIED, () -> replaying.info(Empty.getDefaultInstance()));
        }

        // The engine's control API.
        EngineServiceGrpc.EngineServiceBlockingStub rogueEngine = EngineServiceGrpc.newBlockingStub(
                channel(engine.control, GrpcAuth.client("rogue", (VolumeSecret) null))).withDeadlineAfter(1, TimeUnit.MINUTES);
        assertStatus(Status.Code.UNAUTHENTICATED, () -> rogueEngine.frontendStop(
                io.longhorn.api.engine.Empty.getDefaultInstance()));
        assertStatus(Status.Code.UNAUTHENTICATED, () -> rogueEngine.replicaRemove(
                ReplicaRequest.newBuilder().setAddress(Cluster.control(rs.getFirst())).build()));
        assertStatus(Status.Code.UNAUTHENTICATED, () -> rogueEngine.snapshotCreate(
                io.longhorn.api.engine.SnapshotCreateRequest.newBuilder().setName("rogue").build()));
        EngineServiceGrpc.EngineServiceBlockingStub forgedEngine = EngineServiceGrpc.newBlockingStub(
                channel(engine.control, GrpcAuth.client("rogue", VolumeSecret.generate())))
                .withDeadlineAfter(1, TimeUnit.MINUTES);
        assertStatus(Status.Code.UNAUTHENTICATED, () -> forgedEngine.frontendStop(
                io.longhorn.api.engine.Empty.getDefaultInstance()));

        // Nothing changed: the same replicas, RW, the same snapshots and generation, the same bytes.
        var volume = engine.info();
        assertTrue(volume.getFrontendRunning(), volume.toString());
        assertEquals(4, volume.getAuthRefusals(), volume.toString());
        for (int i = 0; i < rs.size(); i++) {
            assertEquals(ReplicaMode.RW, engine.mode(Cluster.control(rs.get(i))));
            ReplicaInfo after = replica(rs.get(i), secret).info(Empty.getDefaultInstance());
            assertEquals(infos.get(i).getGeneration(), after.getGeneration());
            assertEquals(infos.get(i).getSnapshotsList(), after.getSnapshotsList());
            // Two refused handshakes, a write before the hello, five calls and a replay.
            assertEquals(9, after.getAuthRefusals(), after.toString());
        }
        assertEquals(before, cluster.sha256(engine.nbd));
        CrashRestartIT.qemuIo(engine.nbd, "read -P 0x11 0 8M");
        engine.close();
        List<String> each = cluster.hashEachAlone("vol1", rs);
        assertEquals(List.of(before, before), each);
    }

    @Test
    void anEngineSendsNoDataToAReplicaThatCannotProveTheSecret() throws Exception {
        List<ServiceProcess> rs = cluster.replicas("16Mi", "r1", "r2");
        Path otherFile = dir.resolve("other.secret");
        VolumeSecret.createIfMissing(otherFile);
        cluster.withSecret(otherFile);
        ServiceProcess impostor = cluster.replica("impostor", "16Mi");
        cluster.withSecret(null);
        ServiceProcess open = cluster.replica("open", "16Mi");
        cluster.withSecret(dir.resolve("vol1.secret"));

        Cluster.Engine engine = cluster.engine("vol1", rs);
        CrashRestartIT.qemuIo(engine.nbd, "write -P 0x22 0 4M", "flush");
        for (ServiceProcess bad : List.of(impostor, open)) {
            String address = Cluster.control(bad);
            try {
                engine.api().replicaAdd(ReplicaAddRequest.newBuilder().setAddress(address).build());
            } catch (StatusRuntimeException expected) {
                // refused at once, or below: never RW, never WO
            }
            assertFalse(engine.info().getReplicasList().stream().anyMatch(r -> r.getAddress().equals(address)
                    && (r.getMode() == ReplicaMode.RW || r.getMode() == ReplicaMode.WO)), engine.info().toString());
        }
        CrashRestartIT.qemuIo(engine.nbd, "write -P 0x33 0 4M", "flush");
        for (ServiceProcess r : rs) {
            assertEquals(ReplicaMode.RW, engine.mode(Cluster.control(r)));
        }
        // The impostor and the open replica got nothing: they still read back as zeros.
        ReplicaInfo imp = replica(impostor, VolumeSecret.load(otherFile)).info(Empty.getDefaultInstance());
        ReplicaInfo op = replica(open, null).info(Empty.getDefaultInstance());
        assertEquals(0, imp.getActualSize(), imp.toString());
        assertEquals(0, op.getActualSize(), op.toString());

        // An engine with the secret does not start on a replica without it, nor on an impostor (fresh
        // ones: the open replica above took the engine's rebuild preparation, as it takes anyone's calls).
        cluster.withSecret(otherFile);
        ServiceProcess impostor2 = cluster.replica("impostor2", "16Mi");
        cluster.withSecret(null);
        ServiceProcess open2 = cluster.replica("open2", "16Mi");
        cluster.withSecret(dir.resolve("vol1.secret"));
        for (ServiceProcess bad : List.of(impostor2, open2)) {
            ServiceProcess refused = cluster.launchEngine("vol2", List.of(bad));
            try {
                assertNotEquals(0, refused.awaitExit(Duration.ofMinutes(2)), refused.output());
                assertTrue(refused.output().contains("secret"), refused.output());
            } finally {
                refused.close();
            }
        }
    }

    private static ByteBuffer zeros() {
        return ByteBuffer.allocate(4096);
    }

    /** A WRITE as the first frame: the replica closes the connection and writes nothing. */
    private static void assertClosedOnWriteBeforeHello(Address data) throws Exception {
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(data.host(), data.port()))) {
            ByteBuffer out = ByteBuffer.allocate(Frame.HEADER_SIZE + 4096);
            Frame.request(MessageType.WRITE, 1, 0, 4096, Frame.FLAG_FUA).encode(out);
            out.put(new byte[4096]).flip();
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteBuffer in = ByteBuffer.allocate(64 << 10);
            ch.socket().setSoTimeout(30_000);
            int n;
            int total = 0;
            java.io.InputStream is = ch.socket().getInputStream();
            while ((n = is.read(in.array(), total, in.capacity() - total)) > 0) {
                total += n;
            }
            assertEquals(0, total, "the replica answered a write before the handshake");
        }
    }

    private ReplicaServiceGrpc.ReplicaServiceBlockingStub replica(ServiceProcess r, VolumeSecret s) {
        return ReplicaServiceGrpc.newBlockingStub(channel(r.field("control"), GrpcAuth.client("test", s)))
                .withDeadlineAfter(1, TimeUnit.MINUTES);
    }

    private ManagedChannel channel(String hostPort, ClientInterceptor interceptor) {
        Address a = Address.parse(hostPort);
        ManagedChannel ch = Grpc.newChannelBuilderForAddress(a.host(), a.port(), InsecureChannelCredentials.create())
                .intercept(interceptor).build();
        channels.add(ch);
        return ch;
    }

    private static ClientInterceptor fixedHeader(String value) {
        Metadata m = new Metadata();
        m.put(GrpcAuth.HEADER, value);
        return MetadataUtils.newAttachHeadersInterceptor(m);
    }

    private static void assertStatus(Status.Code code, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.toString());
    }
}
