package io.longhorn.manager.client;

import io.grpc.ManagedChannel;
import io.longhorn.api.replica.ChecksumRequest;
import io.longhorn.api.replica.Empty;
import io.longhorn.api.replica.Extent;
import io.longhorn.api.replica.RangeChecksum;
import io.longhorn.api.replica.ReplicaServiceGrpc;
import io.longhorn.api.replica.SnapshotChecksum;
import io.longhorn.api.replica.SnapshotChecksumsRequest;
import io.longhorn.api.replica.SnapshotCreateRequest;
import io.longhorn.api.replica.SnapshotRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@link ReplicaClient} over gRPC. */
final class GrpcReplicaClient implements ReplicaClient {
    /** Hashing is paced by the replica; a large volume's first check reads all its snapshots. */
    private static final long HASH_HOURS = 12;
    private static final long RANGE_MINUTES = 10;
    private static final long CALL_SECONDS = 30;
    /** A purge coalesces layer files: it takes as long as copying a snapshot's data. */
    private static final long PURGE_MINUTES = 30;
    /** The replica answers at most this many ranges per call. */
    private static final int RANGES_PER_CALL = 32768;

    private final String address;
    private final ReplicaServiceGrpc.ReplicaServiceBlockingStub stub;

    GrpcReplicaClient(String address, ManagedChannel channel) {
        this.address = address;
        this.stub = ReplicaServiceGrpc.newBlockingStub(channel);
    }

    @Override
    public List<SnapshotChecksum> snapshotChecksums(String mode) {
        return GrpcCalls.call("get the snapshot checksums of replica " + address, () -> stub
                .withDeadlineAfter(HASH_HOURS, TimeUnit.HOURS)
                .snapshotChecksums(SnapshotChecksumsRequest.newBuilder().setMode(mode).build()).getChecksumsList());
    }

    @Override
    public void snapshotCreate(String name, Map<String, String> labels, String created) {
        GrpcCalls.call("create snapshot " + name + " on replica " + address, () -> stub
                .withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS).snapshotCreate(SnapshotCreateRequest.newBuilder()
                        .setName(name).putAllLabels(labels).setCreated(created).build()));
    }

    @Override
    public void snapshotRemoveAndPurge(String name) {
        GrpcCalls.call("remove snapshot " + name + " from replica " + address, () -> stub
                .withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS).snapshotRemove(SnapshotRequest.newBuilder()
                        .setName(name).build()));
        GrpcCalls.call("purge the removed snapshots of replica " + address, () -> stub
                .withDeadlineAfter(PURGE_MINUTES, TimeUnit.MINUTES).snapshotPurge(Empty.getDefaultInstance()));
    }

    @Override
    public List<String> snapshots() {
        return GrpcCalls.call("list the snapshots of replica " + address, () -> stub
                .withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS).info(Empty.getDefaultInstance()))
                .getSnapshotsList().stream().filter(s -> !s.getHead() && !s.getRemoved())
                .map(io.longhorn.api.replica.SnapshotInfo::getName).toList();
    }

    @Override
    public long authRefusals() {
        return GrpcCalls.call("read the refusals of replica " + address, () -> stub.withDeadlineAfter(5, TimeUnit.SECONDS)
                .info(Empty.getDefaultInstance()).getAuthRefusals());
    }

    @Override
    public List<RangeChecksum> rangeChecksums(String file, long fileSize, int chunk) {
        List<RangeChecksum> out = new ArrayList<>();
        long step = (long) chunk * RANGES_PER_CALL;
        for (long off = 0; off < fileSize; off += step) {
            long len = Math.min(step, fileSize - off);
            ChecksumRequest req = ChecksumRequest.newBuilder().setFile(file).setChunkSize(chunk)
                    .addExtents(Extent.newBuilder().setOffset(off).setLength(len)).build();
            out.addAll(GrpcCalls.call("checksum " + file + " on replica " + address, () -> stub
                    .withDeadlineAfter(RANGE_MINUTES, TimeUnit.MINUTES).checksumRanges(req).getChecksumsList()));
        }
        return out;
    }
}
