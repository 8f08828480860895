package io.longhorn.replica.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.longhorn.api.replica.ChecksumRequest;
import io.longhorn.api.replica.ExpandRequest;
import io.longhorn.api.replica.SetGenerationRequest;
import io.longhorn.api.replica.DataChunk;
import io.longhorn.api.replica.Empty;
import io.longhorn.api.replica.ExtentList;
import io.longhorn.api.replica.FileRequest;
import io.longhorn.api.replica.RangeChecksum;
import io.longhorn.api.replica.ReadExtentsRequest;
import io.longhorn.api.replica.RebuildPrepareRequest;
import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.replica.ReplicaServiceGrpc;
import io.longhorn.api.replica.SetErrorRequest;
import io.longhorn.api.replica.SnapshotChecksumsRequest;
import io.longhorn.api.replica.SnapshotCreateRequest;
import io.longhorn.api.replica.SnapshotRequest;
import io.longhorn.api.replica.WriteExtentsResponse;
import io.longhorn.replica.store.Replica;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaControlServiceTest {
    private static final long SIZE = 32L << 20;

    @TempDir
    Path tmp;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    /** A replica served by the control service on a real gRPC server on loopback. */
    private record Served(Replica replica, ReplicaServiceGrpc.ReplicaServiceBlockingStub stub,
                          ReplicaServiceGrpc.ReplicaServiceStub async, ServedReplica served) {
    }

    private Served serve(String name) throws Exception {
        Replica r = Replica.create(tmp.resolve(name), SIZE);
        cleanup.add(r);
        ServedReplica served = new ServedReplica();
        served.publish(r, "tcp://127.0.0.1:1", "/run/x.sock");
        ReplicaControlService service = new ReplicaControlService(served);
        cleanup.add(service::shutdown);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
        cleanup.add(() -> server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        cleanup.add(() -> ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
        return new Served(r, ReplicaServiceGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS),
                ReplicaServiceGrpc.newStub(ch), served);
    }

    @Test
    void infoDescribesSizeChainAndDataAddresses() throws Exception {
        Served s = serve("a");
        ReplicaInfo info = s.stub.info(Empty.getDefaultInstance());
        assertEquals(SIZE, info.getSize());
        assertEquals(4096, info.getSectorSize());
        assertEquals("volume-head-000.img", info.getHead());
        assertEquals("tcp://127.0.0.1:1", info.getDataAddress());
        assertEquals("/run/x.sock", info.getDataSocket());
        assertTrue(info.getDirty());
        assertEquals(1, info.getSnapshotsCount());
        assertTrue(info.getSnapshots(0).getHead());
    }

    @Test
    void snapshotsAreCreatedWithLabelsAndTheGivenTimeThenListedParentsFirst() throws Exception {
        Served s = serve("a");
        s.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s1").putLabels("k", "v").setUserCreated(true)
                .setCreated("2024-05-01T10:00:00Z").build());
        ReplicaInfo info = s.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s2").build());
        assertEquals(List.of("s1", "s2", "volume-head"), info.getSnapshotsList().stream().map(x -> x.getName()).toList());
        var s1 = info.getSnapshots(0);
        assertEquals("v", s1.getLabelsOrThrow("k"));
        assertTrue(s1.getUserCreated());
        assertEquals("2024-05-01T10:00:00Z", s1.getCreated());
        assertEquals("s2", info.getParent());
        assertEquals("volume-snap-s1.img", s1.getFile());
    }

    @Test
    void anErrorSetOnAReplicaIsWrittenToVolumeMetaReportedAfterAReopenAndClearedWithAnEmptyOne() throws Exception {
        Served s = serve("a");
        assertEquals("", s.stub.info(Empty.getDefaultInstance()).getError());
        ReplicaInfo marked = s.stub.setError(SetErrorRequest.newBuilder().setError("restore of backup b1 failed")
                .build());
        assertEquals("restore of backup b1 failed", marked.getError());
        String meta = java.nio.file.Files.readString(tmp.resolve("a").resolve("volume.meta"));
        assertTrue(meta.contains("\"Error\":\"restore of backup b1 failed\""), meta);
        s.replica.close();
        try (Replica reopened = Replica.open(tmp.resolve("a"))) {
            assertEquals("restore of backup b1 failed", reopened.error());
            reopened.setError("");
            assertEquals("", reopened.error());
        }
        try (Replica reopened = Replica.open(tmp.resolve("a"))) {
            assertEquals("", reopened.error());
        }
    }

    @Test
    void removeMarksASnapshotAndPurgeCoalescesItWithoutChangingData() throws Exception {
        Served s = serve("a");
        byte[] first = block(1);
        byte[] second = block(2);
        s.replica.write(0, ByteBuffer.wrap(first));
        s.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s1").build());
        s.replica.write(4096, ByteBuffer.wrap(second));
        s.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s2").build());
        ReplicaInfo removed = s.stub.snapshotRemove(SnapshotRequest.newBuilder().setName("s1").build());
        assertTrue(removed.getSnapshots(0).getRemoved(), "s1 is marked removed");
        assertEquals(List.of("s1", "s2", "volume-head"), names(removed));
        ReplicaInfo purged = s.stub.snapshotPurge(Empty.getDefaultInstance());
        assertEquals(List.of("s2", "volume-head"), names(purged));
        assertEquals("", purged.getSnapshots(0).getParent());
        assertEquals(2 * 4096, purged.getSnapshots(0).getActualSize(), "s1's block moved into s2");
        assertArrayEquals(first, read(s.replica, 0));
        assertArrayEquals(second, read(s.replica, 4096));
        assertFalse(Files.exists(tmp.resolve("a").resolve("volume-snap-s1.img")));
    }

    @Test
    void revertReplacesTheHeadWithOneOnTheSnapshot() throws Exception {
        Served s = serve("a");
        byte[] kept = block(3);
        s.replica.write(0, ByteBuffer.wrap(kept));
        ReplicaInfo taken = s.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s1").build());
        s.replica.write(0, ByteBuffer.wrap(block(4)));
        ReplicaInfo reverted = s.stub.snapshotRevert(SnapshotRequest.newBuilder().setName("s1").build());
        assertNotEquals(taken.getHead(), reverted.getHead(), "a new head file");
        assertEquals("s1", reverted.getParent());
        assertArrayEquals(kept, read(s.replica, 0));
    }

    @Test
    void expandGrowsTheVolumeAndRefusesToShrinkIt() throws Exception {
        Served s = serve("a");
        ReplicaInfo grown = s.stub.expand(ExpandRequest.newBuilder().setSize(2 * SIZE).build());
        assertEquals(2 * SIZE, grown.getSize());
        byte[] b = block(5);
        s.replica.write(2 * SIZE - 4096, ByteBuffer.wrap(b));
        assertArrayEquals(b, read(s.replica, 2 * SIZE - 4096));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> s.stub.expand(ExpandRequest.newBuilder().setSize(SIZE).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> s.stub.expand(ExpandRequest.newBuilder().setSize(3 * SIZE + 1).build()));
        assertEquals(2 * SIZE, s.stub.info(Empty.getDefaultInstance()).getSize());
    }

    @Test
    void setGenerationIsRecordedDurablyAndANegativeOneIsRefused() throws Exception {
        Served s = serve("a");
        assertEquals(0, s.stub.info(Empty.getDefaultInstance()).getGeneration());
        assertEquals(7, s.stub.setGeneration(generation(7, "e1")).getGeneration());
        assertTrue(Files.readString(tmp.resolve("a").resolve("volume.meta")).contains("\"Generation\":7"));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> s.stub.setGeneration(generation(-1, "e1")));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> s.stub.setGeneration(SetGenerationRequest.newBuilder().setGeneration(9).build()));
        assertEquals(7, s.stub.info(Empty.getDefaultInstance()).getGeneration());
    }

    @Test
    void aGenerationNeverGoesDown() throws Exception {
        Served s = serve("a");
        s.stub.setGeneration(generation(9, "e2"));
        assertCode(Status.Code.FAILED_PRECONDITION, () -> s.stub.setGeneration(generation(7, "e1")));
        assertEquals(9, s.stub.info(Empty.getDefaultInstance()).getGeneration());
        assertTrue(Files.readString(tmp.resolve("a").resolve("volume.meta")).contains("\"Generation\":9"));
        assertEquals(9, s.stub.setGeneration(generation(9, "e2")).getGeneration(), "the same engine may repeat it");
        assertEquals(11, s.stub.setGeneration(generation(11, "e3")).getGeneration());
    }

    private static SetGenerationRequest generation(long g, String engine) {
        return SetGenerationRequest.newBuilder().setGeneration(g).setEngine(engine).build();
    }

    @Test
    void deleteRemovesTheReplicaStopsTheDataPathAndThenReportsItIsGone() throws Exception {
        Served s = serve("a");
        s.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s1").build());
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        s.served.onDelete(() -> events.add("io stopped"), ok -> events.add("answered " + ok));
        s.stub.delete(Empty.getDefaultInstance());
        assertFalse(Files.exists(tmp.resolve("a")), "the replica directory is gone");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> events.equals(List.of("io stopped", "answered true")));
        assertCode(Status.Code.UNAVAILABLE, () -> s.stub.info(Empty.getDefaultInstance()));
        assertCode(Status.Code.UNAVAILABLE, () -> s.stub.delete(Empty.getDefaultInstance()));
        assertEquals(List.of("io stopped", "answered true"), events, "a second delete does nothing");
    }

    private static byte[] block(int seed) {
        byte[] b = new byte[4096];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] read(Replica r, long offset) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        r.read(offset, b);
        return b.array();
    }

    private static List<String> names(ReplicaInfo info) {
        return info.getSnapshotsList().stream().map(x -> x.getName()).toList();
    }

    @Test
    void badChainRequestsGetTheRightCodesAndChangeNothing() throws Exception {
        Served s = serve("a");
        s.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s1").build());
        ReplicaInfo before = s.stub.info(Empty.getDefaultInstance());
        assertCode(Status.Code.ALREADY_EXISTS, () -> s.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s1").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> s.stub.snapshotRemove(SnapshotRequest.newBuilder().setName("volume-head").build()));
        assertCode(Status.Code.NOT_FOUND, () -> s.stub.snapshotRevert(SnapshotRequest.newBuilder().setName("nope").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> s.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("../evil").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> s.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("ok").setCreated("yesterday").build()));
        assertCode(Status.Code.NOT_FOUND, () -> s.stub.listExtents(FileRequest.newBuilder().setFile("volume-snap-nope.img").build()));
        ReplicaInfo after = s.stub.info(Empty.getDefaultInstance());
        assertEquals(before.getSnapshotsList().stream().map(x -> x.getName()).toList(),
                after.getSnapshotsList().stream().map(x -> x.getName()).toList());
        assertEquals(before.getHead(), after.getHead());
    }

    @Test
    void aReplicaRebuiltThroughTheApiReadsLikeItsSource() throws Exception {
        Served src = serve("src");
        Served dst = serve("dst");
        Random rnd = new Random(9);
        byte[] a = new byte[3 << 20];
        rnd.nextBytes(a);
        src.replica.write(1 << 20, ByteBuffer.wrap(a));
        src.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s1").build());
        byte[] b = new byte[8192];
        rnd.nextBytes(b);
        src.replica.write(8 << 20, ByteBuffer.wrap(b));
        ReplicaInfo srcInfo = src.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s2").build());
        // The target takes a snapshot of its own first, as the engine does across all replicas.
        dst.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s2").build());

        List<io.longhorn.api.replica.SnapshotInfo> snaps = srcInfo.getSnapshotsList().stream().filter(x -> !x.getHead()).toList();
        ReplicaInfo prepared = dst.stub.rebuildPrepare(RebuildPrepareRequest.newBuilder().addAllSnapshots(snaps).build());
        assertTrue(prepared.getRebuilding());
        for (var snap : snaps) {
            String file = snap.getFile();
            ExtentList extents = src.stub.listExtents(FileRequest.newBuilder().setFile(file).build());
            ReadExtentsRequest want = ReadExtentsRequest.newBuilder().setFile(file).addAllExtents(extents.getExtentsList()).build();
            ChecksumRequest sums = ChecksumRequest.newBuilder().setFile(file).addAllExtents(extents.getExtentsList()).build();
            List<RangeChecksum> srcSums = src.stub.checksumRanges(sums).getChecksumsList();
            if (!extents.getExtentsList().isEmpty()) {
                assertNotEquals(srcSums, dst.stub.checksumRanges(sums).getChecksumsList());
            }
            CompletableFuture<WriteExtentsResponse> done = new CompletableFuture<>();
            StreamObserver<DataChunk> upload = dst.async.writeExtents(observer(done));
            long sent = 0;
            for (Iterator<DataChunk> it = src.stub.readExtents(want); it.hasNext(); ) {
                DataChunk c = it.next();
                assertTrue(c.getData().size() <= ReplicaControlService.STREAM_CHUNK);
                sent += c.getData().size();
                upload.onNext(c);
            }
            upload.onCompleted();
            assertEquals(sent, done.get(60, TimeUnit.SECONDS).getBytesWritten());
            dst.stub.retainExtents(want);
            assertEquals(srcSums, dst.stub.checksumRanges(sums).getChecksumsList());
        }
        ReplicaInfo finished = dst.stub.rebuildFinish(Empty.getDefaultInstance());
        assertFalse(finished.getRebuilding());
        byte[] back = new byte[a.length];
        dst.replica.read(1 << 20, ByteBuffer.wrap(back));
        assertArrayEquals(a, back);
        byte[] back2 = new byte[b.length];
        dst.replica.read(8 << 20, ByteBuffer.wrap(back2));
        assertArrayEquals(b, back2);
    }

    @Test
    void checksumRequestsWithABadChunkSizeAreRefused() throws Exception {
        Served s = serve("a");
        assertCode(Status.Code.INVALID_ARGUMENT, () -> s.stub.checksumRanges(ChecksumRequest.newBuilder()
                .setFile("volume-head-000.img").setChunkSize(-1).build()));
    }

    @Test
    void snapshotChecksumsAreComputedStoredAndABadModeIsRefused() throws Exception {
        Served s = serve("a");
        byte[] block = new byte[4096];
        java.util.Arrays.fill(block, (byte) 7);
        s.replica.write(0, java.nio.ByteBuffer.wrap(block));
        s.stub.snapshotCreate(SnapshotCreateRequest.newBuilder().setName("s1").build());
        var first = s.stub.snapshotChecksums(SnapshotChecksumsRequest.newBuilder().setMode("fast-check").build());
        assertEquals(1, first.getChecksumsCount());
        var c = first.getChecksums(0);
        assertEquals("volume-snap-s1.img", c.getFile());
        assertEquals("sha256", c.getMethod());
        assertEquals(64, c.getChecksum().length());
        assertTrue(c.getRehashed());
        assertTrue(java.nio.file.Files.exists(tmp.resolve("a").resolve("volume-snap-s1.img.checksum")));
        var again = s.stub.snapshotChecksums(SnapshotChecksumsRequest.newBuilder().setMode("fast-check").build());
        assertEquals(c.getChecksum(), again.getChecksums(0).getChecksum());
        assertTrue(!again.getChecksums(0).getRehashed(), "an unchanged file is not hashed again under fast-check");
        assertCode(Status.Code.INVALID_ARGUMENT, () -> s.stub.snapshotChecksums(SnapshotChecksumsRequest.newBuilder()
                .setMode("sometimes").build()));
    }

    @Test
    void writeExtentsWithoutAFileNameIsRefused() throws Exception {
        Served s = serve("a");
        CompletableFuture<WriteExtentsResponse> done = new CompletableFuture<>();
        StreamObserver<DataChunk> up = s.async.writeExtents(observer(done));
        up.onNext(DataChunk.newBuilder().setOffset(0).setData(com.google.protobuf.ByteString.copyFrom(new byte[4096])).build());
        up.onCompleted();
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> done.get(60, TimeUnit.SECONDS));
        assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(e.getCause()).getCode());
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> done) {
        return new StreamObserver<>() {
            T last;

            @Override
            public void onNext(T value) {
                last = value;
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(last);
            }
        };
    }

    private static void assertCode(Status.Code code, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getMessage());
        assertFalse(e.getStatus().getDescription() == null || e.getStatus().getDescription().isBlank());
    }
}
